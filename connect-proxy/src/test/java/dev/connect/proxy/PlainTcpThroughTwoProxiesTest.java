package dev.connect.proxy;

import static dev.connect.proxy.ProxyFixture.ANY_LOOPBACK;
import static dev.connect.proxy.ProxyFixture.exchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An application speaks plain TCP to its proxy's upstream listener, which reaches another
 * proxy's public listener with mutual TLS, which forwards to that service's application; the
 * end of the client's input travels through both proxies and back (half close). A dialed peer
 * that is not the destination is refused (issue 15).
 */
class PlainTcpThroughTwoProxiesTest {
  @TempDir
  Path dir;
  ProxyFixture f;

  @BeforeEach
  void open() throws Exception {
    f = new ProxyFixture(dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private ConnectProxy webWithUpstream(String destination, ConnectProxy target,
      SslProvider provider) {
    return f.open(ConnectProxy.builder(f.agent.service("web")).provider(provider)
        .upstream(new Upstream(destination, ANY_LOOPBACK, target.publicAddress()))
        .start());
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void halfClosedRequestIsEchoedThroughBothProxies(SslProvider provider) throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    EchoApp dbApp = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db")).provider(provider)
        .publicListener(ANY_LOOPBACK, dbApp.address()).start());
    ConnectProxy web = webWithUpstream("db", db, provider);

    String sent = "ping ".repeat(10_000);
    String got = exchange(web.upstreamAddress("db"), sent);
    assertThat(got.length()).isEqualTo(sent.length());
    assertThat(got.equals(sent)).as("the bytes echoed are the bytes sent").isTrue();
    assertThat(dbApp.accepted).hasValue(1);

    ProxyMetrics w = web.metrics();
    assertThat(w.handshakesAllowed()).isEqualTo(1);
    assertThat(w.handshakesDenied()).isZero();
    assertThat(w.bytesOutbound()).isEqualTo(sent.length());
    assertThat(w.bytesInbound()).isEqualTo(sent.length());
    assertThat(db.metrics().bytesInbound()).isEqualTo(sent.length());
    assertThat(web.awaitIdle(java.time.Duration.ofSeconds(10))).isTrue();
    assertThat(db.awaitIdle(java.time.Duration.ofSeconds(10))).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void aPeerThatIsNotTheDestinationIsRefused(SslProvider provider) throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    EchoApp cacheApp = f.app(false);
    ConnectProxy cache = f.open(ConnectProxy.builder(f.agent.service("cache"))
        .provider(provider).publicListener(ANY_LOOPBACK, cacheApp.address()).start());
    // web believes db is at cache's address: cache proves to be cache, not db.
    ConnectProxy web = webWithUpstream("db", cache, provider);

    assertThat(exchange(web.upstreamAddress("db"), "secret")).isEmpty();
    assertThat(cacheApp.accepted).hasValue(0);
    ProxyMetrics w = web.metrics();
    assertThat(w.handshakesAllowed()).isZero();
    assertThat(w.handshakesDenied()).isEqualTo(1);
    assertThat(w.deniedReasons().keySet()).singleElement()
        .satisfies(r -> assertThat(r).contains("svc/cache").contains("want service db"));
    assertThat(w.bytesOutbound()).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void aFailedDialIsRetriedOnTheNextInstance(SslProvider provider) throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    EchoApp dbApp = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db")).provider(provider)
        .publicListener(ANY_LOOPBACK, dbApp.address()).start());
    java.net.InetSocketAddress dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      dead = (java.net.InetSocketAddress) s.getLocalSocketAddress();
    }
    java.net.InetSocketAddress live = db.publicAddress().orElseThrow();
    UpstreamDiscovery two = new FixedDiscovery(java.util.List.of(dead, live));
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web")).provider(provider)
        .discovery(two).upstream(new Upstream("db", ANY_LOOPBACK, Optional.empty())).start());
    for (int i = 0; i < 4; i++) {
      assertThat(exchange(web.upstreamAddress("db"), "try " + i)).isEqualTo("try " + i);
    }
    assertThat(dbApp.accepted).hasValue(4);
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void spinningEventLoopsRelayTheSameBytes(SslProvider provider) throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable());
    java.time.Duration spin = java.time.Duration.ofNanos(50_000);
    EchoApp dbApp = f.app(false);
    ConnectProxy db = f.open(ConnectProxy.builder(f.agent.service("db")).provider(provider)
        .eventLoopSpin(spin).publicListener(ANY_LOOPBACK, dbApp.address()).start());
    ConnectProxy web = f.open(ConnectProxy.builder(f.agent.service("web")).provider(provider)
        .eventLoopSpin(spin).upstream(new Upstream("db", ANY_LOOPBACK, db.publicAddress()))
        .start());
    for (int i = 0; i < 3; i++) {
      String sent = i + " ping ".repeat(5_000);
      assertThat(exchange(web.upstreamAddress("db"), sent).equals(sent))
          .as("exchange %d echoed intact", i).isTrue();
    }
    assertThat(web.awaitIdle(java.time.Duration.ofSeconds(10))).isTrue();
  }

  @org.junit.jupiter.api.Test
  void anEventLoopSpinIsBoundedAndNamedWhenRefused() {
    ConnectProxy.Builder b = ConnectProxy.builder(f.agent.service("web"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> b.eventLoopSpin(java.time.Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventLoopSpin")
        .hasMessageContaining("PT-0.000000001S");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> b.eventLoopSpin(java.time.Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 1000 µs").hasMessageContaining("PT0.002S");
  }

  /** A discovery that always knows the same instances. */
  record FixedDiscovery(java.util.List<java.net.InetSocketAddress> all)
      implements UpstreamDiscovery {
    @Override
    public java.util.concurrent.CompletableFuture<Void> watch(String service) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public java.util.List<java.net.InetSocketAddress> instances(String service) {
      return all;
    }

    @Override
    public void close() {
    }
  }
}
