package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.LeafRequests;
import dev.connect.testkit.EchoServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IssuedLeaf;
import dev.connect.core.LeafIssuingBackend;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import dev.connect.server.EmbeddedServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, leaves from either kind of server: Consul's HTTP API has no endpoint that signs a CSR;
 * its agent makes the key pair and returns it with the certificate. An agent over such a backend
 * ({@link LeafIssuingBackend}) gets its leaves whole, checks them, renews them and re-issues
 * them after a rotation, and its services speak mutual TLS with them.
 */
class WholeLeafBackendTest {
  @TempDir Path dir;
  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  EmbeddedServer server;
  WholeLeaves backend;
  ConnectAgent agent;

  /**
   * Issues whole leaves the way Consul's agent does: the key pair is made on the server side and
   * returned with the certificate. The certificates come from an embedded server's CA.
   */
  static final class WholeLeaves implements LeafIssuingBackend {
    final EmbeddedServer ca;
    final AtomicInteger issued = new AtomicInteger();
    final AtomicBoolean wrongKey = new AtomicBoolean();

    WholeLeaves(EmbeddedServer ca) {
      this.ca = ca;
    }

    @Override
    public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
      return ca.roots(options);
    }

    @Override
    public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
        QueryOptions options) {
      return ca.matchIntentions(destination, options);
    }

    @Override
    public CompletableFuture<QueryResult<IssuedLeaf>> issueLeaf(String service,
        QueryOptions options) {
      KeyPair keys = LeafRequests.newKeyPair();
      ServiceId id = ServiceId.of(ca.trustDomain().trustDomain(), ca.datacenter(), service);
      issued.incrementAndGet();
      KeyPair handedOut = wrongKey.get() ? LeafRequests.newKeyPair() : keys;
      return ca.signLeaf(LeafRequests.csrPem(id, keys), options).thenApply(r ->
          new QueryResult<>(new IssuedLeaf(r.value(), handedOut.getPrivate()), r.index()));
    }
  }

  @BeforeEach
  void open() throws Exception {
    server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler).open();
    backend = new WholeLeaves(server);
    agent = ConnectAgent.builder().backend(backend)
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time)
        .scheduler(scheduler).build();
  }

  @AfterEach
  void close() {
    try {
      agent.close();
      server.close();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void servicesWithWholeLeavesSpeakMutualTls() throws Exception {
    ConnectService db = agent.service("db");
    ConnectService web = agent.service("web");
    try (EchoServer echo = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "ping"))
          .isEqualTo("ping");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
    }
    assertThat(backend.issued.get()).isEqualTo(2);
    assertThat(web.leaf().certificate().service()).isEqualTo(web.id());
  }

  @Test
  void wholeLeavesAreRenewedAndReissuedAfterARotation() {
    ConnectService web = agent.service("web");
    String first = web.leaf().certificate().serialNumberHex();
    scheduler.advance(Duration.ofHours(72));
    String renewed = web.leaf().certificate().serialNumberHex();
    assertThat(renewed).isNotEqualTo(first);

    server.rotateRoot(QueryOptions.defaults());
    scheduler.advance(Duration.ofMinutes(2));
    assertThat(web.leaf().certificate().serialNumberHex()).isNotEqualTo(renewed);
    assertThat(web.leaf().certificate().certificate().getIssuerX500Principal())
        .isEqualTo(server.roots(QueryOptions.defaults()).join().value().active().certificate()
            .getSubjectX500Principal());
  }

  @Test
  void aWholeLeafWhoseKeyDoesNotMatchIsRefused() {
    backend.wrongKey.set(true);
    assertThatThrownBy(() -> agent.service("web").leaf())
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("with a private key that does not belong to it");
  }
}
