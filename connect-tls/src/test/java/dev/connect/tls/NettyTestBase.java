package dev.connect.tls;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The set-up the Netty tests share: one event loop group per test class, shut down after it,
 * besides the fresh {@link TlsFixture} per test of {@link TlsFixtureTestBase}.
 */
abstract class NettyTestBase extends TlsFixtureTestBase {
  static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = NettyPeers.group();
  }

  @AfterAll
  static void stopGroup() throws InterruptedException {
    NettyPeers.shutdown(group);
  }

  /** Skips the test for OpenSSL where Netty's BoringSSL cannot be loaded. */
  static void assumeAvailable(SslProvider provider) {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(),
        () -> "BoringSSL is not loadable here: " + OpenSsl.unavailabilityCause());
  }

  /** Returns db's Netty server context: default deny, on the fixture's clock. */
  SslContext dbServer(SslProvider provider) {
    return ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).clock(f.time))
        .provider(provider).build();
  }

  /** Returns web's Netty client context, expecting db, on the fixture's clock. */
  SslContext webClient(SslProvider provider) {
    return ConnectNettyTls.forClient(ConnectTls.forClient(f.identity("web"))
        .expectPeer("db").clock(f.time)).provider(provider).build();
  }
}
