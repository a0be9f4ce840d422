package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.core.SpiffeId;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.tls.HandshakeEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A peer is refused for one reason, whichever path decides (issue 12, the identity TLS reads):
 * a service's server context in the handshake and {@link ConnectService#authorize(SpiffeId)},
 * which says it decides "as the server context does in a handshake". Before, the trust manager
 * worded a foreign trust domain ("peer ... is from an external trust domain: ... (ours is ...)"),
 * an agent ID ("peer is not a service identity") and another partition ("is in partition") in
 * its own words while {@code authorize} used Consul's, and {@code authorize} allowed a client
 * from another namespace that every handshake refused.
 *
 * <p>The client leaves are signed by a {@link TestCa} root rotated into the embedded server, so
 * that their chains validate and only the identity in them can refuse them.
 */
class HandshakeAndAuthorizeGiveOneReasonTest {
  @TempDir
  Path dir;

  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final ExecutorService acceptor = Executors.newSingleThreadExecutor();
  EmbeddedServer server;
  ConnectAgent agent;
  TestCa root;
  String trustDomain;

  @BeforeEach
  void open() throws IOException {
    server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler).open();
    trustDomain = server.trustDomain().trustDomain();
    root = TestCertificates.root(trustDomain).clock(time).build();
    server.rotateRoot(root.exportPrivateKeyPkcs8Pem(), root.certificatePem(),
        QueryOptions.builder().build());
    agent = ConnectAgent.builder().backend(server).clock(time).ticker(time).scheduler(scheduler)
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).build();
  }

  @AfterEach
  void close() {
    acceptor.shutdownNow();
    agent.close();
    server.close();
    scheduler.shutdownNow();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "spiffe://0000aaaa-1111-2222-3333-444455556666.consul/ns/default/dc/dc1/svc/web"
          + " | Identity from an external trust domain:"
          + " 0000aaaa-1111-2222-3333-444455556666.consul",
      "spiffe://<td>/ns/other/dc/dc1/svc/web"
          + " | peer spiffe://<td>/ns/other/dc/dc1/svc/web is in namespace \"other\";"
          + " only the \"default\" namespace is accepted",
      "spiffe://<td>/ap/other/ns/default/dc/dc1/svc/web"
          + " | Mismatched partitions: \"other\" != \"default\"",
      "spiffe://<td>/agent/client/dc/dc1/id/node1"
          + " | ClientCertURI not a valid Service identifier:"
          + " spiffe://<td>/agent/client/dc/dc1/id/node1"})
  void theHandshakeAndAuthorizeRefuseAPeerForTheSameReason(String uri, String reason)
      throws Exception {
    String peer = uri.replace("<td>", trustDomain);
    String expected = reason.replace("<td>", trustDomain);
    ConnectService db = agent.service("db");
    List<HandshakeEvent> events = new CopyOnWriteArrayList<>();
    db.onHandshake(events::add);

    Handshakes.attempt(db.serverSslContext(), root.leaf("web").uri(peer).build(), acceptor);

    Decision decision = db.authorize(SpiffeId.parse(peer));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reason()).isEqualTo(expected);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).allowed()).isFalse();
    assertThat(events.get(0).reason()).isEqualTo("connect: authz denied: " + expected);

    // Control: the same root, our trust domain and namespace, is let in by both.
    Handshakes.attempt(db.serverSslContext(), root.leaf("web").build(), acceptor);
    assertThat(events).hasSize(2);
    assertThat(events.get(1).allowed()).isTrue();
    assertThat(db.authorize(SpiffeId.parse("spiffe://" + trustDomain
        + "/ns/default/dc/dc1/svc/web")).reason()).isEqualTo(events.get(1).reason());
    assertThat(scheduler.failures()).isEmpty();
  }
}
