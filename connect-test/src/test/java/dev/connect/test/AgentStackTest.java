package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.ca.LeafRequests;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.cache.LeafKeyFactory;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.ConnectTls;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published fixtures drive the real stack: the embedded server and the agent cache run on
 * {@link FakeTime} and {@link FakeScheduler}, a {@link TestCa} root installed in the server
 * signs the agent's leaves, and the broken leaves it makes are refused by a connect-tls server.
 * Time starts at the real now, because the plain JSSE clients check the server's leaf against
 * the real clock.
 */
class AgentStackTest {
  static final LeafKeyFactory KEYS = LeafKeyFactory.of(LeafRequests::newKeyPair,
      LeafRequests::csrPem);

  @TempDir
  Path dir;

  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final CacheRequest request = CacheRequest.anonymous();
  final ExecutorService acceptor = Executors.newSingleThreadExecutor();
  EmbeddedServer server;
  ConnectCache cache;

  @BeforeEach
  void open() throws IOException {
    server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler).open();
    cache = ConnectCache.builder(server).leafKeys(KEYS).scheduler(scheduler).ticker(time)
        .clock(time).random(new Random(7)).build();
  }

  @AfterEach
  void close() {
    acceptor.shutdownNow();
    cache.close();
    server.close();
    scheduler.shutdownNow();
  }

  @Test
  void fakeTimeAndSchedulerDriveLeafRenewal() {
    Leaf first = cache.leaf("web", request);
    CaRoots roots = cache.roots(request);
    assertThat(first.certificate().certificate()).isConnectLeaf()
        .hasSpiffeId(ServiceId.of(roots.trustDomain(), "dc1", "web"))
        .chainsTo(roots.active().certificate(), time.instant())
        .expiresWithin(Duration.ofHours(72), time);

    scheduler.advance(Duration.ofHours(72).multipliedBy(9).dividedBy(10));

    Leaf renewed = cache.leaf("web", request);
    assertThat(renewed.certificate().serialNumber())
        .isNotEqualTo(first.certificate().serialNumber());
    assertThat(renewed.certificate().certificate()).isValidAt(time.instant())
        .expiresWithin(Duration.ofHours(72), time);
    assertThat(scheduler.failures()).isEmpty();
  }

  @Test
  void brokenLeavesOfTheServersOwnRootAreRefusedByAConnectTlsServer() throws Exception {
    String trustDomain = server.trustDomain().trustDomain();
    TestCa root = TestCertificates.root(trustDomain).clock(time).build();
    server.rotateRoot(root.exportPrivateKeyPkcs8Pem(), root.certificatePem(),
        QueryOptions.builder().build());
    scheduler.advance(Duration.ofSeconds(30)); // roots query returns; the db leaf is re-issued
    assertThat(cache.leaf("db", request).certificate().certificate())
        .isSignedBy(root.certificate());

    List<HandshakeEvent> events = new CopyOnWriteArrayList<>();
    SSLContext db = ConnectTls.forServer(ConnectIdentity.of(cache, "db", request))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).clock(time).listener(events::add)
        .sslContext();

    Handshakes.attempt(db, root.leaf("web").build(), acceptor);
    Handshakes.attempt(db, root.leaf("web")
        .trustDomain("0000aaaa-1111-2222-3333-444455556666.consul").build(), acceptor);
    Handshakes.attempt(db,
        root.leaf("web").additionalUri("spiffe://" + trustDomain + "/x").build(), acceptor);
    Handshakes.attempt(db, root.leaf("web").uri("spiffe://" + trustDomain
        + "/agent/client/dc/dc1/id/node1").build(), acceptor);

    assertThat(events).extracting(HandshakeEvent::allowed)
        .containsExactly(true, false, false, false);
    assertThat(events.get(0).reason()).isEqualTo("ACLs disabled, access is allowed by default");
    assertThat(events.get(1).reason()).contains("external trust domain");
    assertThat(events.get(2).reason()).contains("exactly one URI SAN, found 2");
    assertThat(events.get(3).reason()).contains("not a valid Service identifier");

    // Refused before any identity check: the chain itself fails PKIX at the server's clock.
    Handshakes.attempt(db, root.leaf("web").expired().build(), acceptor);
    assertThat(events).hasSize(5);
    assertThat(events.get(4).allowed()).isFalse();
    assertThat(events.get(4).reason()).contains("is not valid at");
    assertThat(scheduler.failures()).isEmpty();
  }
}
