package dev.connect.tls;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Netty builder fails fast, and Netty stays an optional dependency. */
class NettyApiTest {
  @TempDir
  Path dir;

  @Test
  void misuseFailsFastAndNamesTheValue() throws Exception {
    try (TlsFixture f = new TlsFixture(dir)) {
      ConnectTls.ClientBuilder web = ConnectTls.forClient(f.identity("web")).expectPeer("db");
      assertThatThrownBy(() -> ConnectNettyTls.forServer(null))
          .isInstanceOf(NullPointerException.class).hasMessage("server");
      assertThatThrownBy(() -> ConnectNettyTls.forClient(null))
          .isInstanceOf(NullPointerException.class).hasMessage("client");
      assertThatThrownBy(() -> ConnectNettyTls.forClient(web).provider(null))
          .isInstanceOf(NullPointerException.class).hasMessage("provider");
      assertThatThrownBy(() -> ConnectNettyTls.forClient(web).provider(SslProvider.JDK)
          .provider(SslProvider.OPENSSL)).isInstanceOf(IllegalStateException.class)
          .hasMessage("provider was already set to JDK");
      assertThatThrownBy(() -> ConnectNettyTls.forClient(web)
          .provider(SslProvider.OPENSSL_REFCNT)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("provider must be JDK or OPENSSL: OPENSSL_REFCNT");
      assertThat(ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db"))
          .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED)).toString())
          .isEqualTo("ConnectNettyTls.Builder[server, provider=JDK]");
      SslContext client = ConnectNettyTls.forClient(web).build();
      assertThat(client.isClient()).isTrue();
    }
  }

  /**
   * Only {@code dev.connect.tls.netty} refers to Netty, so an application without Netty on its
   * class path can load and use everything else in the module.
   */
  @Test
  void onlyTheNettyPackageRefersToNetty() throws Exception {
    Path classes = Path.of(ConnectTls.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(p -> p.toString().endsWith(".class")).toList();
    }
    int nettyUsers = 0;
    for (Path p : files) {
      boolean refersToNetty = new String(Files.readAllBytes(p), ISO_8859_1).contains("io/netty");
      if (p.toString().contains("/dev/connect/tls/netty/")) {
        nettyUsers += refersToNetty ? 1 : 0;
      } else {
        assertThat(refersToNetty).as(classes.relativize(p).toString()).isFalse();
      }
    }
    assertThat(nettyUsers).as("the scan sees Netty where it is used").isPositive();
  }
}
