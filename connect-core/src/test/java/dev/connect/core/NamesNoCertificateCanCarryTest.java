package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Review finding (item 8): intention writes stored {@code we b} and 100,000-character names that
 * no certificate can carry, and {@code connect leaf WEB} issued a leaf no {@code web} intention
 * covers. {@link ServiceNames} is the one rule every write path now applies: a lower-case SPIFFE
 * path segment of at most 256 characters, refused with a message naming the value.
 */
class NamesNoCertificateCanCarryTest {
  @Test
  void aSpaceIsRefusedNamingTheNameAndTheCharacter() {
    assertThatThrownBy(() -> ServiceNames.check("we b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service name \"we b\" has a character outside [a-z0-9.-_] at index 2:"
            + " U+0020");
  }

  @Test
  void aHundredThousandCharactersAreRefusedWithTheLengthAndAShortenedValue() {
    String name = "a".repeat(100_000);
    assertThatThrownBy(() -> ServiceNames.check(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service name \"" + "a".repeat(64) + "...(100000 chars)\" is 100000"
            + " characters long; the limit is 256");
  }

  @Test
  void upperCaseIsRefusedNotFolded() {
    assertThatThrownBy(() -> ServiceNames.check("WEB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service name \"WEB\" has upper case; service names are lower case (upper"
            + " case is refused, not folded): write \"web\"");
  }

  @Test
  void theBoundsOfTheRule() {
    assertThat(ServiceNames.check("a".repeat(ServiceNames.MAX_LENGTH)))
        .hasSize(ServiceNames.MAX_LENGTH);
    assertThatThrownBy(() -> ServiceNames.check("a".repeat(ServiceNames.MAX_LENGTH + 1)))
        .hasMessageContaining("is 257 characters long; the limit is 256");
    assertThat(ServiceNames.check("web-1.v2_beta")).isEqualTo("web-1.v2_beta");
    assertThatThrownBy(() -> ServiceNames.check("")).hasMessage("service name must not be empty");
    assertThatThrownBy(() -> ServiceNames.check("..")).hasMessage("service name must not be"
        + " \"..\"");
    assertThatThrownBy(() -> ServiceNames.check("*")).hasMessageContaining("'*'");
    assertThatThrownBy(() -> ServiceNames.check("a/b")).hasMessageContaining("'/'");
    assertThatThrownBy(() -> ServiceNames.check("caf\u00e9")).hasMessageContaining("U+00E9");
    assertThatThrownBy(() -> ServiceNames.check("a\nb")).hasMessageContaining("a\\u000ab");
  }

  @Test
  void everyNameTheRuleAcceptsIsTheLastSegmentOfAServiceIdWithTheLongestTrustDomain() {
    String longestTrustDomain = "a".repeat(SpiffeId.MAX_TRUST_DOMAIN_LENGTH);
    ServiceId id = ServiceId.of(longestTrustDomain, "dc1", "z".repeat(ServiceNames.MAX_LENGTH));
    assertThat(ServiceId.parse(id.toString())).isEqualTo(id);
  }
}
