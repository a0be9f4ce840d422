package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.consul.ConsulBackend;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import dev.connect.core.QueryOptions;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.Intentions;
import dev.connect.core.SpiffeId;
import dev.connect.peers.ConsulAgent;
import dev.connect.testkit.EchoServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a {@link ConnectAgent} over a real Consul 1.10.4 dev agent with ACLs on and default
 * deny, through {@link ConsulBackend}. Leaves come from Consul with service tokens, services
 * speak mutual TLS through the agent's contexts, and an intention written through Consul's HTTP
 * API reaches the cache (its {@code intentionsChanged} event) and decides the next handshake.
 */
class AgentOverConsulTest {
  /** How long the test waits for the cache to see a write: a hang guard, never asserted. */
  private static final Duration CHANGE_GUARD = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  private static ConsulAgent consul;
  private static ConsulBackend backend;
  private static String management;
  private static String webToken;
  private static String dbToken;

  @BeforeAll
  static void start() throws Exception {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    management = consul.managementToken().orElseThrow();
    webToken = serviceToken("web", "service \"web\" { policy = \"write\" }");
    dbToken = serviceToken("db",
        "service \"db\" { policy = \"write\" intentions = \"read\" }");
    backend = ConsulBackend.builder().environment(Map.of())
        .address(consul.httpAddress().toString()).build();
  }

  @AfterAll
  static void stop() {
    try (ConsulAgent c = consul; ConsulBackend b = backend) {
      // both closed, each also when the other fails
    }
  }

  @Test
  void servicesGetLeavesFromConsulAndAnIntentionWrittenThereAllowsThenDenies() throws Exception {
    try (ConnectAgent agent = ConnectAgent.builder().consul(backend).build()) {
      assertThat(agent.defaultIntentionPolicy())
          .as("read from Consul's X-Consul-Default-Acl-Policy")
          .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
      ConnectService db = agent.service("db", dbToken);
      ConnectService web = agent.service("web", webToken);
      SpiffeId webId = web.id().spiffeId();
      assertThat(web.leaf().certificate().service().trustDomain())
          .isEqualTo(agent.trustDomain());
      // Consul has no CSR endpoint (its /v1/agent/self is refused to a service token, and the
      // CSR path is 404): the leaf is Consul's own, the one its leaf endpoint serves.
      assertThat(backend.signsCsrs(QueryOptions.builder().token(webToken).build())
          .get(30, TimeUnit.SECONDS)).isFalse();
      String consulLeaf = new ObjectMapper().readTree(sendAs(webToken, "GET",
          "/v1/agent/connect/ca/leaf/web", "")).path("CertPEM").asText();
      assertThat(Certificates.parsePem(consulLeaf).get(0))
          .isEqualTo(web.leaf().certificate().certificate());
      BlockingQueue<Intentions> dbChanges = new LinkedBlockingQueue<>();
      CacheListener.Registration listening = agent.cache().addListener(new CacheListener() {
        @Override
        public void intentionsChanged(String destination, CacheRequest request,
            Intentions intentions) {
          if (destination.equals("db")) {
            dbChanges.add(intentions);
          }
        }
      });

      try (listening; EchoServer echo = new EchoServer(db.serverSslContext())) {
        // No intention, default deny: refused.
        assertThat(db.authorize(webId).allowed()).isFalse();
        assertThatThrownBy(() -> EchoServer.echo(web.clientSslContext("db"), echo.port(), "x"))
            .isInstanceOf(java.io.IOException.class);
        assertThat(echo.next()).isInstanceOf(SSLException.class);

        writeIntention("web", "db", "allow");
        awaitDecision(dbChanges, db, webId, true);
        assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "ping"))
            .isEqualTo("ping");
        assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);

        writeIntention("web", "db", "deny");
        awaitDecision(dbChanges, db, webId, false);
        assertThatThrownBy(() -> EchoServer.echo(web.clientSslContext("db"), echo.port(), "x"))
            .isInstanceOf(java.io.IOException.class);
        assertThat(echo.next()).isInstanceOf(SSLException.class);
      }
    }
  }

  @Test
  void theAdminViewsWriteIntentionsAndRotateTheCaInConsul() throws Exception {
    try (ConnectAgent agent = ConnectAgent.builder().backend(backend)
        .defaultIntentionPolicy(backend.defaultIntentionPolicy()).build()) {
      AgentIntentions intentions = agent.intentions(management);
      Intention allow = intentions.allow("shop", "stock");
      assertThat(intentions.get("shop", "stock")).hasValueSatisfying(
          i -> assertThat(i.action()).isEqualTo(IntentionAction.ALLOW));
      assertThat(intentions.check("shop", "stock").allowed()).isTrue();
      assertThat(intentions.match("stock")).extracting(i -> i.source().name())
          .containsExactly("shop");

      Intention api = intentions.create(Intention.builder(IntentionTarget.parse("cart"),
          IntentionTarget.parse("ledger"), IntentionAction.ALLOW).build());
      assertThat(api.id()).isNotEmpty();
      assertThat(intentions.get(api.id())).contains(api);
      assertThatThrownBy(() -> intentions.create(Intention.builder(
          IntentionTarget.parse("cart"), IntentionTarget.parse("ledger"), IntentionAction.DENY)
          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Sources[1] defines \\\"cart\\\" more than once");
      Intention denied = intentions.update(api.id(), Intention.builder(
          IntentionTarget.parse("cart"), IntentionTarget.parse("ledger"), IntentionAction.DENY)
          .description("changed").build());
      assertThat(denied.id()).isEqualTo(api.id());
      assertThat(denied.description()).isEqualTo("changed");
      assertThat(intentions.check("cart", "ledger").allowed()).isFalse();
      assertThat(intentions.list()).filteredOn(i -> i.destination().name().equals("ledger"))
          .hasSize(1);
      // Consul refuses the legacy API on a destination written through /exact (config entries).
      assertThatThrownBy(() -> intentions.create(Intention.builder(IntentionTarget.parse("cart"),
          IntentionTarget.parse("stock"), IntentionAction.ALLOW).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot use legacy intention API");
      assertThat(allow.source().name()).isEqualTo("shop");

      assertThat(intentions.delete(api.id())).isTrue();
      assertThat(intentions.delete(api.id())).isFalse();
      assertThat(intentions.delete("shop", "stock")).isTrue();
      assertThat(intentions.delete("shop", "stock")).isFalse();
      assertThat(intentions.list()).noneMatch(i -> i.destination().name().equals("stock"));
      assertThatThrownBy(() -> agent.intentions(webToken).allow("web", "stock"))
          .isInstanceOf(PermissionDeniedException.class);

      AgentCa ca = agent.ca(management);
      String before = ca.roots().activeRootId();
      CaRoots rotated = ca.rotate();
      assertThat(rotated.activeRootId()).isNotEqualTo(before);
      assertThat(rotated.roots()).extracting(r -> r.id()).contains(before);
      CaConfiguration longer =
          ca.configuration().toBuilder().leafCertTtl(Duration.ofHours(96)).build();
      ca.updateConfiguration(longer);
      assertThat(ca.configuration().leafCertTtl()).isEqualTo(Duration.ofHours(96));
      assertThatThrownBy(() -> agent.ca(webToken).rotate())
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  /**
   * Waits, bounded, for the cache's change events on {@code db} until one decides {@code web}'s
   * connection as {@code allowed}; the decision is then what every handshake reads.
   */
  private static void awaitDecision(BlockingQueue<Intentions> changes, ConnectService db,
      SpiffeId web, boolean allowed) throws InterruptedException {
    long deadline = System.nanoTime() + CHANGE_GUARD.toNanos();
    while (db.authorize(web).allowed() != allowed) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || changes.poll(left, TimeUnit.NANOSECONDS) == null) {
        throw new AssertionError("the cache did not see the intention within " + CHANGE_GUARD
            + "; decision now: " + db.authorize(web));
      }
    }
  }

  private static void writeIntention(String source, String destination, String action)
      throws Exception {
    send("PUT", "/v1/connect/intentions/exact?source=" + source + "&destination=" + destination,
        "{\"Action\":\"" + action + "\"}");
  }

  private static String serviceToken(String name, String rules) throws Exception {
    ObjectMapper json = new ObjectMapper();
    send("PUT", "/v1/acl/policy", json.writeValueAsString(Map.of("Name", name, "Rules", rules)));
    String token = send("PUT", "/v1/acl/token", "{\"Policies\":[{\"Name\":\"" + name + "\"}]}");
    return json.readTree(token).path("SecretID").asText();
  }

  private static String send(String method, String path, String body) throws Exception {
    return sendAs(management, method, path, body);
  }

  private static String sendAs(String token, String method, String path, String body)
      throws Exception {
    URI uri = consul.httpAddress().resolve(path);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("X-Consul-Token", token)
        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
          + r.body());
    }
    return r.body();
  }
}
