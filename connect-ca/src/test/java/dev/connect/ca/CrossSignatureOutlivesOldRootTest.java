package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.SigningId;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, item 3: the new root cross-signed by the old one was valid for 7 days whatever the
 * leaf TTL, while the old root is pruned twice the leaf TTL after the rotation; from then on
 * (day 6 with the default 72 h) a chain carrying it failed validation as presented. It now ends
 * no later than that pruning point, so it never outlives the root that issued it.
 */
class CrossSignatureOutlivesOldRootTest {
  static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  static final SigningId TRUST_DOMAIN =
      SigningId.of("7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul");

  @ParameterizedTest(name = "leaf TTL {0} -> cross-signed for {1}")
  @CsvSource({"PT72H, PT144H", "PT1H, PT2H", "PT84H, PT168H", "PT96H, PT168H",
      "PT720H, PT168H"})
  void crossSignedRootEndsNoLaterThanThePruningOfTheOldRoot(Duration leafTtl,
      Duration expected) {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    CaConfiguration config = CaConfiguration.builder().leafCertTtl(leafTtl).build();
    BuiltInCaProvider old = BuiltInCaProvider.generate(TRUST_DOMAIN, config, clock);
    BuiltInCaProvider next = BuiltInCaProvider.generate(TRUST_DOMAIN, config, clock);

    X509Certificate cross = old.crossSign(next.rootCertificate());

    assertThat(cross.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(Duration.between(cross.getNotBefore().toInstant(),
        cross.getNotAfter().toInstant())).isEqualTo(expected);
    assertThat(cross.getNotAfter().toInstant()).isBefore(NOW.plus(leafTtl.multipliedBy(2)))
        .isBefore(NOW.plus(Duration.ofDays(7)));
  }
}
