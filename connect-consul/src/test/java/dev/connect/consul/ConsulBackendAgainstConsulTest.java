package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IssuedLeaf;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.SpiffeId;
import dev.connect.peers.ConsulAgent;
import dev.connect.peers.FreePorts;
import java.security.Signature;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ConsulBackend} against a real Consul 1.10.4 dev agent (issue 14): roots, leaves,
 * intention matches as blocking queries, the default intention policy read from the server, and
 * every refusal and failure as the project's exceptions.
 */
class ConsulBackendAgainstConsulTest {
  private static ConsulAgent open;
  private static ConsulAgent acl;
  private static ConsulBackend openBackend;

  @BeforeAll
  static void start() throws Exception {
    open = ConsulAgent.start();
    acl = ConsulAgent.builder().aclsDefaultDeny().start();
    openBackend = backendFor(open);
  }

  @AfterAll
  static void stop() {
    try (ConsulAgent a = open; ConsulAgent b = acl; ConsulBackend c = openBackend) {
      // closed in reverse order, each also when another fails
    }
  }

  static ConsulBackend backendFor(ConsulAgent consul) throws Exception {
    return ConsulBackend.builder().environment(Map.of())
        .address(consul.httpAddress().toString()).build();
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(60, TimeUnit.SECONDS); // guards against a hang only
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void rootsAreConsulsAndABlockingQueryReturnsWhenItsWaitElapses() throws Exception {
    QueryResult<CaRoots> roots = get(openBackend.roots(QueryOptions.defaults()));

    assertThat(roots.value().trustDomain()).endsWith(".consul");
    assertThat(roots.value().roots()).isNotEmpty();
    QueryResult<CaRoots> again = get(openBackend.roots(QueryOptions.builder()
        .minIndex(roots.index()).maxWait(Duration.ofMillis(200)).build()));
    assertThat(again.index()).isEqualTo(roots.index());
    assertThat(again.value().activeRootId()).isEqualTo(roots.value().activeRootId());
  }

  @Test
  void aLeafComesWithItsKeyAndTheServicesSpiffeId() throws Exception {
    CaRoots roots = get(openBackend.roots(QueryOptions.defaults())).value();

    IssuedLeaf leaf = get(openBackend.issueLeaf("web", QueryOptions.defaults())).value();

    assertThat(SpiffeId.fromCertificate(leaf.certificate().certificate())).isEqualTo(
        SpiffeId.parse("spiffe://" + roots.trustDomain() + "/ns/default/dc/dc1/svc/web"));
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(leaf.privateKey());
    sign.update(new byte[] {1, 2, 3});
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(leaf.certificate().certificate().getPublicKey());
    verify.update(new byte[] {1, 2, 3});
    assertThat(verify.verify(signature)).as("the key matches the certificate").isTrue();
    assertThat(leaf.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void aBlockingIntentionMatchReturnsWhenAnIntentionIsWritten() throws Exception {
    QueryResult<List<Intention>> before =
        get(openBackend.matchIntentions("orders", QueryOptions.defaults()));
    CompletableFuture<QueryResult<List<Intention>>> blocked = openBackend.matchIntentions(
        "orders", QueryOptions.builder().minIndex(before.index())
            .maxWait(Duration.ofSeconds(30)).build());

    ConsulRaw.send(open.httpAddress(), "PUT",
        "/v1/connect/intentions/exact?source=billing&destination=orders", null,
        "{\"Action\":\"deny\"}");

    QueryResult<List<Intention>> after = get(blocked);
    assertThat(after.index()).isGreaterThan(before.index());
    assertThat(after.value()).anySatisfy(i -> {
      assertThat(i.source().name()).isEqualTo("billing");
      assertThat(i.action()).isEqualTo(IntentionAction.DENY);
    });
  }

  @Test
  void theDefaultIntentionPolicyIsReadFromTheServer() throws Exception {
    try (ConsulBackend deny = backendFor(acl)) {
      assertThat(openBackend.defaultIntentionPolicy())
          .isEqualTo(DefaultIntentionPolicy.ACLS_DISABLED);
      assertThat(deny.defaultIntentionPolicy())
          .isEqualTo(DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    }
  }

  @Test
  void withAclsALeafNeedsServiceWriteAndAnUnknownTokenIsNotFound() throws Exception {
    String management = acl.managementToken().orElseThrow();
    String web = ConsulRaw.serviceToken(acl.httpAddress(), management, "web-leaf",
        "service \"web\" { policy = \"write\" }");
    try (ConsulBackend backend = backendFor(acl)) {
      IssuedLeaf leaf =
          get(backend.issueLeaf("web", QueryOptions.builder().token(web).build())).value();
      assertThat(leaf.certificate().service().service()).isEqualTo("web");

      assertThatThrownBy(() -> get(backend.issueLeaf("db",
          QueryOptions.builder().token(web).build())))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("/v1/agent/connect/ca/leaf/db").hasMessageContaining("403")
          .hasMessageNotContaining(web);
      assertThatThrownBy(() -> get(backend.issueLeaf("web",
          QueryOptions.builder().token("6a1c2b9e-0000-4000-8000-000000000000").build())))
          .isInstanceOf(AclNotFoundException.class);
      assertThatThrownBy(() -> get(backend.matchIntentions("db", QueryOptions.defaults())))
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void theConfiguredTokenIsSentWhenAQueryCarriesNone() throws Exception {
    String management = acl.managementToken().orElseThrow();
    String web = ConsulRaw.serviceToken(acl.httpAddress(), management, "web-env",
        "service \"web\" { policy = \"write\" }");
    try (ConsulBackend backend = ConsulBackend.builder()
        .environment(Map.of("CONSUL_HTTP_ADDR", acl.httpAddress().toString(),
            "CONSUL_HTTP_TOKEN", web)).build()) {
      assertThat(get(backend.issueLeaf("web", QueryOptions.defaults())).value()
          .certificate().service().service()).isEqualTo("web");
      assertThat(backend.toString()).doesNotContain(web);
    }
  }

  @Test
  void aRefusedConnectionNamesTheEndpoint() throws Exception {
    int port = FreePorts.pick(1)[0]; // picked free and not listened on
    try (ConsulBackend nobody = ConsulBackend.builder().environment(Map.of())
        .address("127.0.0.1:" + port).build()) {
      assertThatThrownBy(() -> get(nobody.roots(QueryOptions.defaults())))
          .isInstanceOfSatisfying(ConsulHttpException.class,
              e -> assertThat(e.status()).isEmpty())
          .hasMessage("GET http://127.0.0.1:" + port
              + "/v1/agent/connect/ca/roots failed: connection refused");
    }
  }
}
