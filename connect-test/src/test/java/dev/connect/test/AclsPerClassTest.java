package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a static field one agent serves every test of the class (its removal after the class is
 * proved in {@code ConnectExtensionTest#aPerClassAgentIsClosedAndRemovedAfterAll}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AclsPerClassTest {
  @RegisterExtension
  static final ConnectExtension CONNECT = ConnectExtension.builder().allow("web", "db").build();

  static String trustDomain;
  static Path directory;

  @Test
  @Order(1)
  void first() throws Exception {
    trustDomain = CONNECT.agent().trustDomain();
    directory = CONNECT.dataDirectory();
    assertThat(Handshakes.echo(CONNECT.service("db").serverSslContext(),
        CONNECT.service("web").clientSslContext("db"))).isEqualTo(42);
  }

  @Test
  @Order(2)
  void secondSharesTheAgent() {
    assertThat(CONNECT.agent().trustDomain()).isEqualTo(trustDomain);
    assertThat(CONNECT.dataDirectory()).isEqualTo(directory).exists();
  }
}
