package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectBackend;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.UnsupportedByBackendException;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder options: set once, embedded-only ones refused over another backend. */
class AgentBuilderTest {
  static final String SECRET = "0c5a9c44-3f0e-4d9b-a1c4-000000secret";

  @TempDir
  Path dir;

  /** A backend the agent cannot see into: it delegates the SPI and nothing else. */
  static final class SpiOnlyBackend implements CsrSigningBackend {
    final CsrSigningBackend delegate;

    SpiOnlyBackend(CsrSigningBackend delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
      return delegate.roots(options);
    }

    @Override
    public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
        QueryOptions options) {
      return delegate.signLeaf(csrPem, options);
    }

    @Override
    public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
        QueryOptions options) {
      return delegate.matchIntentions(destination, options);
    }
  }

  @Test
  void anOptionSetTwiceNamesTheEarlierValue() {
    assertThatThrownBy(() -> ConnectAgent.builder().datacenter("dc1").datacenter("dc2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("datacenter was already set to dc1");
    assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir).dataDirectory(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("dataDirectory was already set to " + dir);
    assertThatThrownBy(() -> ConnectAgent.builder().aclsEnabled(false).aclsEnabled(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("aclsEnabled was already set to false");
    assertThatThrownBy(() -> ConnectAgent.builder().token(SECRET).token("other"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("token was already set to <redacted>");
    assertThatThrownBy(() -> ConnectAgent.builder().initialManagementToken(SECRET)
        .initialManagementToken(SECRET))
        .hasMessage("initialManagementToken was already set to <redacted>");
    assertThatThrownBy(() -> ConnectAgent.builder().aclDefaultPolicy(AclDefaultPolicy.DENY)
        .aclDefaultPolicy(AclDefaultPolicy.ALLOW))
        .hasMessage("aclDefaultPolicy was already set to DENY");
  }

  @Test
  void invalidValuesAreRefusedNamingThem() throws Exception {
    assertThatThrownBy(() -> ConnectAgent.builder().datacenter(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("datacenter must not be empty");
    assertThatThrownBy(() -> ConnectAgent.builder().caChangeJitter(java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("caChangeJitter must be positive: PT0S");
    assertThatThrownBy(() -> ConnectAgent.builder().caChangeJitter(java.time.Duration.ofSeconds(1))
        .caChangeJitter(java.time.Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("caChangeJitter was already set to PT1S");
    assertThatThrownBy(() -> ConnectAgent.builder().datacenter("dc/1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dc/1");
    assertThatThrownBy(() -> ConnectAgent.builder().token(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConnectAgent.builder().initialManagementToken("anonymous"))
        .isInstanceOf(IllegalArgumentException.class);
    try (AgentFixture f = new AgentFixture(dir)) {
      assertThatThrownBy(() -> f.agent.service("we b"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("we b");
      assertThatThrownBy(() -> f.agent.service("web").clientSslContext(""))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("service name must not be empty");
    }
  }

  @Test
  void theTokenNeverShows() throws Exception {
    try (AgentFixture f = new AgentFixture(dir, b -> b.token(SECRET))) {
      assertThat(f.agent.toString()).doesNotContain(SECRET);
      assertThat(f.agent.service("web").toString()).doesNotContain(SECRET);
      assertThat(f.agent.service("web", SECRET).toString()).doesNotContain(SECRET);
      assertThat(f.agent.intentions().toString()).doesNotContain(SECRET).contains("<redacted>");
      assertThat(f.agent.acl(SECRET).toString()).doesNotContain(SECRET);
    }
  }

  @Test
  void embeddedOnlyOptionsAreRefusedWithAnotherBackendWhicheverComesFirst() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
      ConnectBackend backend = new SpiOnlyBackend(server);
      assertThatThrownBy(() -> ConnectAgent.builder().backend(backend).dataDirectory(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("dataDirectory is an option of the embedded server, but this agent runs"
              + " over the backend " + SpiOnlyBackend.class.getName());
      assertThatThrownBy(() -> ConnectAgent.builder().aclsEnabled(true).backend(backend))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("a custom backend cannot be combined with aclsEnabled (set to true), an"
              + " option of the embedded server");
      assertThatThrownBy(() -> ConnectAgent.builder().backend(backend).initialManagementToken(
          SECRET)).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("initialManagementToken is an option of the embedded server");
      assertThatThrownBy(() -> ConnectAgent.builder().backend(backend).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("defaultIntentionPolicy is required with the backend "
              + SpiOnlyBackend.class.getName());
      assertThatThrownBy(() -> ConnectAgent.builder().dataDirectory(dir.resolve("other"))
          .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("defaultIntentionPolicy (set to ACLS_DEFAULT_DENY) is decided"
              + " by the embedded server's ACL configuration");
    }
  }

  @Test
  void anotherBackendServesHandlesAndRefusesWhatItsSpiLacks() throws Exception {
    FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    FakeScheduler scheduler = FakeScheduler.on(time);
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).clock(time)
        .scheduler(scheduler).open()) {
      server.upsertIntention(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
          IntentionAction.DENY, "", QueryOptions.defaults());
      try (ConnectAgent agent = ConnectAgent.builder().backend(new SpiOnlyBackend(server))
          .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time)
          .scheduler(scheduler).build()) {
        assertThat(agent.trustDomain()).isEqualTo(server.trustDomain().trustDomain());
        assertThat(agent.toString()).isEqualTo("ConnectAgent[backend="
            + SpiOnlyBackend.class.getName() + ", datacenter=dc1]");
        ConnectService db = agent.service("db");
        assertThat(db.serverSslContext()).isNotNull();
        assertThat(db.authorize(agent.service("web").id().spiffeId()).allowed()).isFalse();
        assertThat(db.authorize(agent.service("api").id().spiffeId()).reason())
            .isEqualTo("ACLs disabled, access is allowed by default");
        assertThat(agent.intentions().match("db")).hasSize(1);
        assertThat(agent.ca().roots().trustDomain()).isEqualTo(agent.trustDomain());

        List<Runnable> refused = List.of(
            () -> agent.intentions().list(),
            () -> agent.intentions().allow("web", "db"),
            () -> agent.ca().rotate(),
            () -> agent.acl().bootstrap());
        for (Runnable call : refused) {
          assertThatThrownBy(call::run).isInstanceOf(UnsupportedByBackendException.class)
              .hasMessageContaining("is not offered by the backend "
                  + SpiOnlyBackend.class.getName() + ", which does not implement");
        }
      }
      // The agent does not close a backend it was given.
      assertThat(server.roots(QueryOptions.defaults()).join().value()).isNotNull();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
