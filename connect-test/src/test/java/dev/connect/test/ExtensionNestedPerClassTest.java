package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Regression (review): PER_CLASS instance-field ConnectExtension with a @Nested class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtensionNestedPerClassTest {
  @RegisterExtension
  final ConnectExtension connect = ConnectExtension.builder().allow("web", "db").build();

  @Test
  void outer() {
    assertThat(connect.agent().isClosed()).isFalse();
  }

  @Nested
  class Inner {
    @Test
    void inner() {
      assertThat(connect.agent().isClosed()).isFalse();
    }
  }
}
