package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Serial numbers are random (a deliberate difference from Consul's counter): positive, at most
 * 20 DER octets, at least 128 bits of entropy, never repeated.
 */
class SerialNumberTest {
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";

  @Test
  void serialsArePositiveWideAndDistinct() {
    Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    BuiltInCaProvider ca =
        BuiltInCaProvider.generate(SigningId.of(TD), CaConfiguration.defaults(), clock);
    BuiltInCaProvider next =
        BuiltInCaProvider.generate(SigningId.of(TD), CaConfiguration.defaults(), clock);
    CertificateRequest request = CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), LeafRequests.newKeyPair()),
        SigningId.of(TD), "dc1", CaConfiguration.defaults());

    List<BigInteger> serials = new ArrayList<>();
    serials.add(ca.rootCertificate().getSerialNumber());
    serials.add(next.rootCertificate().getSerialNumber());
    serials.add(ca.crossSign(next.rootCertificate()).getSerialNumber());
    for (int i = 0; i < 600; i++) {
      serials.add(ca.sign(request).getSerialNumber());
    }

    assertThat(new HashSet<>(serials)).hasSameSizeAs(serials);
    int[] ones = new int[159];
    for (BigInteger serial : serials) {
      assertThat(serial.signum()).isPositive();
      // Below 2^-31 per serial to fall under 128 bits by chance.
      assertThat(serial.bitLength()).isBetween(128, 159);
      assertThat(serial.toByteArray()).hasSizeLessThanOrEqualTo(20);
      for (int bit = 0; bit < ones.length; bit++) {
        if (serial.testBit(bit)) {
          ones[bit]++;
        }
      }
    }
    // Every one of the 159 bits varies: each is set in roughly half the serials (mean 301.5,
    // standard deviation about 12; the bounds are over 9 deviations away).
    for (int bit = 0; bit < ones.length; bit++) {
      assertThat(ones[bit]).as("bit " + bit).isBetween(190, 413);
    }
  }
}
