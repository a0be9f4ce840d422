package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import org.junit.jupiter.api.Test;

/**
 * Review finding (item 8), through the agent facade: intention writes accepted names no
 * certificate can carry ({@code we b}, 100,000 characters), and a service could be named {@code
 * WEB}, whose leaf no {@code web} intention covers. The agent's writes and {@code service(...)}
 * now apply {@link dev.connect.core.ServiceNames}, naming the value, before anything is stored
 * or requested.
 */
class AgentNamesNoCertificateCanCarryTest extends AgentTestBase {
  @Test
  void intentionWritesRefuseNamesNoCertificateCanCarry() {
    assertThatThrownBy(() -> f.agent.intentions().allow("we b", "db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service name \"we b\" has a character outside [a-z0-9.-_]");
    assertThatThrownBy(() -> f.agent.intentions().deny("web", "d".repeat(100_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is 100000 characters long; the limit is 256");
    assertThatThrownBy(() -> f.agent.intentions().create(
        Intention.of("WEB", "db", IntentionAction.DENY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service name \"WEB\" has upper case");
    assertThat(f.agent.intentions().list()).isEmpty();
    assertThat(f.agent.intentions().deny("*", "db").source().name()).isEqualTo("*");
  }

  @Test
  void aServiceNamedInUpperCaseIsRefusedBeforeAnyLeafIsRequested() {
    assertThatThrownBy(() -> f.agent.service("WEB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("service name \"WEB\" has upper case; service names are lower case (upper"
            + " case is refused, not folded): write \"web\"");
    assertThatThrownBy(() -> f.agent.service("w".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is 257 characters long");
    assertThat(f.agent.service("web").leaf().certificate().service().service()).isEqualTo("web");
  }
}
