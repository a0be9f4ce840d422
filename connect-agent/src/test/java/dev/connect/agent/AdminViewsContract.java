package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.CaConfiguration;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.PermissionDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's admin views, run unchanged over every server behind the seam (issue 12: writes on
 * the seam). Each subclass builds an agent over one implementation of {@link
 * dev.connect.core.IntentionAdmin}, {@link dev.connect.ca.CaAdmin} and {@link
 * dev.connect.core.AclAdmin} whose ACLs are on and whose management token is {@link #MANAGEMENT}.
 */
abstract class AdminViewsContract {
  static final String MANAGEMENT = "6f1c2d3e-4a5b-4c6d-8e7f-000000000a11";

  @TempDir Path dir;
  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  ConnectAgent agent;

  /** Builds the agent over the server under test; it must accept {@link #MANAGEMENT}. */
  abstract ConnectAgent agent(ConnectAgent.Builder builder) throws Exception;

  /**
   * Returns the server's words for a duplicate intention, which the refusal must contain: ours
   * by default; Consul 1.10 says {@code Sources[1] defines "api" more than once}.
   */
  String duplicateIntentionWording() {
    return "duplicate intention found";
  }

  @BeforeEach
  void build() throws Exception {
    agent = agent(ConnectAgent.builder().clock(time).scheduler(scheduler));
  }

  @AfterEach
  void close() {
    try {
      if (agent != null) {
        agent.close();
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void intentionsAreWrittenReadCheckedAndDeletedThroughTheView() {
    AgentIntentions intentions = agent.intentions(MANAGEMENT);
    Intention allow = intentions.allow("web", "db");
    assertThat(intentions.get("web", "db")).contains(allow);
    assertThat(intentions.check("web", "db").allowed()).isTrue();
    assertThat(intentions.match("db")).containsExactly(allow);

    // Another destination than the one written by source and destination: Consul refuses the
    // legacy create on a destination whose intentions were written that way.
    Intention api = intentions.create(Intention.builder(IntentionTarget.parse("api"),
        IntentionTarget.parse("cache"), IntentionAction.ALLOW).build());
    assertThat(api.id()).isNotEmpty();
    assertThat(intentions.get(api.id())).contains(api);
    // The views promise an IllegalArgumentException naming the duplicate source; the wording
    // is the server's.
    assertThatThrownBy(() -> intentions.create(Intention.builder(IntentionTarget.parse("api"),
        IntentionTarget.parse("cache"), IntentionAction.DENY).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api")
        .hasMessageContaining(duplicateIntentionWording());
    Intention denied = intentions.update(api.id(), Intention.builder(
        IntentionTarget.parse("api"), IntentionTarget.parse("cache"), IntentionAction.DENY)
        .description("changed").build());
    assertThat(denied.id()).isEqualTo(api.id());
    assertThat(denied.description()).isEqualTo("changed");
    assertThat(intentions.check("api", "cache").allowed()).isFalse();
    assertThat(intentions.list()).hasSize(2);

    assertThat(intentions.delete(api.id())).isTrue();
    assertThat(intentions.delete("web", "db")).isTrue();
    assertThat(intentions.delete("web", "db")).isFalse();
    assertThat(intentions.list()).isEmpty();
  }

  @Test
  void theCaIsConfiguredAndRotatedThroughTheView() {
    AgentCa ca = agent.ca(MANAGEMENT);
    String before = ca.roots().activeRootId();
    String after = ca.rotate().activeRootId();
    assertThat(after).isNotEqualTo(before);
    assertThat(ca.roots().activeRootId()).isEqualTo(after);
    assertThat(ca.roots().roots()).extracting(r -> r.id()).contains(before, after);

    CaConfiguration longer =
        ca.configuration().toBuilder().leafCertTtl(Duration.ofHours(96)).build();
    ca.updateConfiguration(longer);
    assertThat(ca.configuration().leafCertTtl()).isEqualTo(Duration.ofHours(96));
  }

  @Test
  void policiesAndTokensAreManagedThroughTheView() {
    AgentAcl acl = agent.acl(MANAGEMENT);
    assertThat(acl.self().hasGlobalManagement()).isTrue();
    assertThatThrownBy(() -> agent.acl().bootstrap())
        .isInstanceOf(PermissionDeniedException.class);

    AclPolicy web = acl.createPolicy("web", "", "service \"web\" { policy = \"write\" }");
    assertThat(acl.policies()).extracting(AclPolicy::name)
        .contains("global-management", "web");
    assertThat(acl.policy("web")).map(AclPolicy::id).contains(web.id());
    AclPolicy renamed = acl.updatePolicy(web.id(), "web-write", "renamed",
        "service \"web\" { policy = \"write\" }");
    assertThat(renamed.id()).isEqualTo(web.id());
    assertThat(acl.policy("web-write")).map(AclPolicy::description).contains("renamed");

    AclToken token = acl.createToken("web service", List.of("web-write"));
    assertThat(acl.token(token.accessorId())).map(AclTokenInfo::description)
        .contains("web service");
    assertThat(acl.tokens()).extracting(AclTokenInfo::accessorId).contains(token.accessorId());
    assertThat(acl.updateToken(token.accessorId(), "still web", List.of("web-write"))
        .description()).isEqualTo("still web");

    assertThat(acl.deleteToken(token.accessorId())).isTrue();
    assertThat(acl.token(token.accessorId())).isEmpty();
    assertThat(acl.deletePolicy("web-write")).isTrue();
    assertThatThrownBy(() -> agent.acl("00000000-0000-4000-8000-00000000b0b0").tokens())
        .isInstanceOf(AclNotFoundException.class);
  }
}
