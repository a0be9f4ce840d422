package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.agent.ConnectAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Regression (review): a static ConnectExtension in an outer class with a @Nested class. */
class ExtensionNestedStaticTest {
  @RegisterExtension
  static final ConnectExtension CONNECT = ConnectExtension.builder().allow("web", "db").build();

  static ConnectAgent seen;

  @Test
  void outer() {
    assertThat(CONNECT.agent().isClosed()).isFalse();
    seen = CONNECT.agent();
  }

  @AfterAll
  static void theNestedClassDidNotCloseTheOuterAgent() {
    assertThat(CONNECT.agent()).isSameAs(seen);
    assertThat(CONNECT.agent().isClosed()).isFalse();
  }

  @Nested
  class Inner {
    @Test
    void inner() {
      assertThat(CONNECT.agent().isClosed()).isFalse();
      assertThat(CONNECT.agent()).as("one agent for the class and its nested classes")
          .isSameAs(seen);
    }
  }
}
