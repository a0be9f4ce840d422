package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExtensionNestedInstanceTest {
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
