package dev.connect.ca;

import static dev.connect.ca.BuiltInCaProviderTest.NOW;
import static dev.connect.ca.BuiltInCaProviderTest.TRUST_DOMAIN;
import static dev.connect.ca.BuiltInCaProviderTest.WEB;
import static dev.connect.ca.BuiltInCaProviderTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Review finding (LOW): the built-in CA checked only the root's {@code notAfter}, so a root whose
 * {@code notBefore} is still to come signed leaves and cross-signed roots that no peer would
 * accept yet.
 */
class RootNotYetValidTest {
  @Test
  void rootBeforeItsStartRefusesToSignNamingBothInstants() {
    FakeTime clock = FakeTime.at(NOW);
    BuiltInCaProvider provider =
        BuiltInCaProvider.generate(TRUST_DOMAIN, CaConfiguration.defaults(), clock);
    X509Certificate root = provider.rootCertificate();
    CertificateRequest request = request(WEB);
    clock.stepClockBack(Duration.ofSeconds(1));

    assertThatThrownBy(() -> provider.sign(request))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("root not yet valid: " + Certificates.sha1Fingerprint(root)
            + " starts at 2030-06-01T12:00:00Z, now is 2030-06-01T11:59:59Z");
    X509Certificate nextRoot = TestCertificates.root(TRUST_DOMAIN.trustDomain())
        .build().certificate();
    assertThatThrownBy(() -> provider.crossSign(nextRoot))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("root not yet valid: ");

    clock.advance(Duration.ofSeconds(1));
    assertThat(provider.sign(request).getNotBefore().toInstant())
        .as("signs from the root's first second")
        .isEqualTo(NOW.minus(Duration.ofMinutes(1)));
  }

  @Test
  void loadedRootIsCheckedAgainstTheClockToo() {
    String td = ConsulSamples.TRUST_DOMAIN;
    X509Certificate root = ConsulSamples.certificate("ca-user-supplied-root.crt.pem");
    Instant beforeItsStart = root.getNotBefore().toInstant().minus(Duration.ofDays(1));
    BuiltInCaProvider loaded = BuiltInCaProvider.load(ConsulSamples.userSuppliedRootKey(),
        Certificates.toPem(root), SigningId.of(td), CaConfiguration.defaults(),
        Clock.fixed(beforeItsStart, ZoneOffset.UTC));
    CertificateRequest request = request(ServiceId.of(td, "dc1", "web"));

    assertThatThrownBy(() -> loaded.sign(request))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("starts at " + root.getNotBefore().toInstant())
        .hasMessageEndingWith("now is " + beforeItsStart);
  }
}
