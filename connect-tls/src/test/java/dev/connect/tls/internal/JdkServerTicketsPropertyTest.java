package dev.connect.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.tls.TlsStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Making a JDK server context turns SunJSSE's server session tickets off only for that context:
 * the JVM-wide property is left as it was found, set or unset (issue 11, item 4).
 */
class JdkServerTicketsPropertyTest {
  private final String before = System.getProperty(TlsStacks.JDK_SERVER_TICKETS);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(TlsStacks.JDK_SERVER_TICKETS);
    } else {
      System.setProperty(TlsStacks.JDK_SERVER_TICKETS, before);
    }
  }

  @Test
  void anUnsetPropertyStaysUnset() {
    System.clearProperty(TlsStacks.JDK_SERVER_TICKETS);
    TlsStacks.newServerContext(TlsStack.JDK);
    assertThat(System.getProperty(TlsStacks.JDK_SERVER_TICKETS)).isNull();
  }

  @Test
  void aPropertyTheApplicationSetKeepsItsValue() {
    System.setProperty(TlsStacks.JDK_SERVER_TICKETS, "true");
    TlsStacks.newServerContext(TlsStack.JDK);
    assertThat(System.getProperty(TlsStacks.JDK_SERVER_TICKETS)).isEqualTo("true");
  }

  @Test
  void theSettingIsVisibleOnlyWhileTheContextIsMade() {
    String[] seen = new String[1];
    TlsStacks.withoutJdkServerTickets(() -> seen[0] =
        System.getProperty(TlsStacks.JDK_SERVER_TICKETS));
    assertThat(seen[0]).isEqualTo("false");
    assertThat(System.getProperty(TlsStacks.JDK_SERVER_TICKETS)).isEqualTo(before);
  }
}
