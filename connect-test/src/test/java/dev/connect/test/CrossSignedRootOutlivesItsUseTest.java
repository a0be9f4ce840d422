package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.connect.ca.CaConfiguration;
import dev.connect.ca.LeafRequests;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.ConnectTls;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.exception.BundleNotFoundException;
import io.spiffe.provider.SpiffeSslContextFactory;
import io.spiffe.provider.SpiffeSslContextFactory.SslContextOptions;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import io.spiffe.workloadapi.X509Source;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, item 3: after a rotation, the new root cross-signed by the old one was attached to
 * every leaf for ever, after it expired and after the old root was pruned. The SPIFFE project's
 * own Java library validates a chain exactly as presented, so from about day 6 it refused every
 * Connect peer, in both directions. Here java-spiffe is the peer: its {@link X509SvidValidator}
 * on each chain the cache presents, then real handshakes over 127.0.0.1 with its {@link
 * SpiffeSslContextFactory} against ours, as client and as server, each with a bundle of the roots
 * published at that moment.
 *
 * <p>java-spiffe reads the real clock (it sets no date on its PKIX parameters), so each case
 * starts {@link FakeTime} that far in the past: when fake time reaches the point checked, it is
 * the real now, give or take the seconds the test runs.
 */
class CrossSignedRootOutlivesItsUseTest {
  static final CacheRequest REQUEST = CacheRequest.anonymous();

  @TempDir
  Path dir;

  FakeTime time;
  FakeScheduler scheduler;
  EmbeddedServer server;
  ConnectCache cache;

  @AfterEach
  void close() {
    if (cache != null) {
      cache.close();
    }
    if (server != null) {
      server.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @ParameterizedTest(name = "leaf TTL {0}, {1} after the rotation: {2} root(s) listed")
  @CsvSource({
      // Right after the rotation: both roots listed, new leaves carry the cross-signed root.
      "PT72H, PT1M, 2",
      // 6 d + 2 h: the cross-signature (twice the leaf TTL) ended; the old root is pruned.
      "PT72H, PT146H, 1",
      "PT96H, PT1M, 2",
      // 7 d + 1 h: the cross-signature (7 d) ended; the old root is listed until day 8.
      "PT96H, PT169H, 2",
      // 8 d + 2 h: the old root is pruned.
      "PT96H, PT194H, 1",
  })
  void javaSpiffeAcceptsEveryChainWePresentAfterARotation(Duration leafTtl,
      Duration sinceRotation, int rootsListed) throws Exception {
    time = FakeTime.at(Instant.now().minus(sinceRotation).truncatedTo(ChronoUnit.SECONDS));
    scheduler = FakeScheduler.on(time);
    server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler)
        .caConfiguration(CaConfiguration.builder().leafCertTtl(leafTtl).build()).open();
    cache = ConnectCache.builder(server).leafKeys(AgentStackTest.KEYS).scheduler(scheduler)
        .ticker(time).clock(time).random(new Random(7)).build();
    cache.leaf("web", REQUEST);
    cache.leaf("db", REQUEST);

    server.rotateRoot(QueryOptions.builder().build());
    scheduler.advance(sinceRotation);

    CaRoots roots = cache.roots(REQUEST);
    assertThat(roots.roots()).hasSize(rootsListed);
    assertThat(scheduler.failures()).isEmpty();
    X509Bundle bundle = new X509Bundle(TrustDomain.parse(roots.trustDomain()),
        new HashSet<>(roots.certificates()));
    for (String service : new String[] {"web", "db"}) {
      Leaf leaf = cache.leaf(service, REQUEST);
      assertThatCode(() -> X509SvidValidator.verifyChain(leaf.chain(), bundle))
          .as("java-spiffe validates %s's chain %s as presented", service, leaf)
          .doesNotThrowAnyException();
    }

    SSLContext ourServer = ConnectTls.forServer(ConnectIdentity.of(cache, "db", REQUEST))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).clock(time).sslContext();
    SSLContext ourClient = ConnectTls.forClient(ConnectIdentity.of(cache, "web", REQUEST))
        .expectPeer("db").clock(time).sslContext();
    assertThat(Handshakes.echo(ourServer, javaSpiffe("web", bundle)))
        .as("java-spiffe client, our server").isEqualTo(42);
    assertThat(Handshakes.echo(javaSpiffe("db", bundle), ourClient))
        .as("java-spiffe server, our client").isEqualTo(42);
  }

  /** A java-spiffe context presenting {@code service}'s current leaf and trusting {@code bundle}. */
  private SSLContext javaSpiffe(String service, X509Bundle bundle) throws Exception {
    Leaf leaf = cache.leaf(service, REQUEST);
    X509Svid svid = X509Svid.parse(
        leaf.certificate().certPem().getBytes(StandardCharsets.US_ASCII),
        LeafRequests.exportPrivateKeyPkcs8Pem(leaf.privateKey())
            .getBytes(StandardCharsets.US_ASCII));
    X509Source source = new X509Source() {
      @Override
      public X509Svid getX509Svid() {
        return svid;
      }

      @Override
      public X509Bundle getBundleForTrustDomain(TrustDomain trustDomain)
          throws BundleNotFoundException {
        return bundle.getBundleForTrustDomain(trustDomain);
      }

      @Override
      public void close() {}
    };
    return SpiffeSslContextFactory.getSslContext(SslContextOptions.builder()
        .sslProtocol("TLSv1.3").x509Source(source).acceptAnySpiffeId().build());
  }
}
