package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.InvalidCsrException;
import dev.connect.core.QueryOptions;
import dev.connect.server.internal.ChecksummedFile;
import dev.connect.server.FileMode;
import dev.connect.server.internal.IntentionStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding (item 8): intention writes accepted and persisted {@code we b} and
 * 100,000-character names, which no certificate can carry, while {@code connect leaf WEB} issued
 * a leaf that no {@code web} intention covers. Every write path (exact upsert, legacy create, leaf
 * signing) now applies {@link dev.connect.core.ServiceNames}, before any ACL check and before
 * anything is written, with a message naming the value; {@code *} stays valid. An intention an
 * earlier build stored with such a name still loads, is read and deleted, but is not updated.
 */
class IntentionNamesNoCertificateCanCarryTest {
  private static final QueryOptions NONE = QueryOptions.defaults();
  private static final IntentionTarget DB = IntentionTarget.parse("db");

  @TempDir Path dir;

  private EmbeddedServer open() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).open();
  }

  @Test
  void upsertRefusesASpaceALongNameAndUpperCaseAndStoresNothing() throws Exception {
    try (EmbeddedServer server = open()) {
      long before = server.intentions(NONE).get().index();
      assertThatThrownBy(() -> server.upsertIntention(IntentionTarget.parse("we b"), DB,
          IntentionAction.ALLOW, "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("intention source \"default/we b\": service name \"we b\" has a character"
              + " outside [a-z0-9.-_] at index 2: U+0020");
      String huge = "a".repeat(100_000);
      assertThatThrownBy(() -> server.upsertIntention(IntentionTarget.parse("web"),
          IntentionTarget.parse(huge), IntentionAction.DENY, "", NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("intention destination \"default/aaaa")
          .hasMessageContaining("is 100000 characters long; the limit is 256");
      assertThatThrownBy(() -> server.upsertIntention(IntentionTarget.parse("WEB"), DB,
          IntentionAction.ALLOW, "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("service name \"WEB\" has upper case")
          .hasMessageContaining("write \"web\"");
      assertThat(server.intentions(NONE).get().value()).isEmpty();
      assertThat(server.intentions(NONE).get().index()).as("nothing written").isEqualTo(before);
    }
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().value()).as("nothing persisted").isEmpty();
    }
  }

  @Test
  void legacyCreateRefusesTheSameNames() throws Exception {
    try (EmbeddedServer server = open()) {
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("web", "d b", IntentionAction.ALLOW), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("intention destination \"default/d b\": service name \"d b\"");
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("Web", "db", IntentionAction.ALLOW), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("service name \"Web\" has upper case");
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
  }

  @Test
  void theWildcardStaysValid() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(IntentionTarget.parse("*"), DB, IntentionAction.DENY, "", NONE);
      server.createIntention(Intention.of("web", "*", IntentionAction.ALLOW), NONE);
      assertThat(server.intentions(NONE).get().value()).hasSize(2);
    }
  }

  @Test
  void theNameIsCheckedBeforeTheToken() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).open()) {
      assertThatThrownBy(() -> server.upsertIntention(IntentionTarget.parse("we b"), DB,
          IntentionAction.ALLOW, "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"we b\"");
    }
  }

  @Test
  void aLeafForAnUpperCaseNameIsRefusedSoEveryLeafHasANameAnIntentionCanCover()
      throws Exception {
    try (EmbeddedServer server = open()) {
      assertThatThrownBy(() -> server.signLeaf(Leaves.csr(server, "WEB"), NONE)
          .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(InvalidCsrException.class)
          .hasMessageContaining("service name \"WEB\" has upper case")
          .satisfies(e -> assertThat(((InvalidCsrException) e).problem())
              .isEqualTo(InvalidCsrException.Problem.NOT_A_SERVICE_ID));

      server.upsertIntention(IntentionTarget.parse("web"), DB, IntentionAction.DENY, "", NONE);
      assertThat(Leaves.issue(server, "web").service().service()).isEqualTo("web");
      assertThat(server.checkIntention("web", "db", NONE).allowed()).isFalse();
    }
  }

  @Test
  void anIntentionStoredEarlierWithABadNameStillLoadsIsReadAndDeletedButNotUpdated()
      throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(IntentionTarget.parse("web"), DB, IntentionAction.ALLOW, "", NONE);
    }
    // As an earlier build stored it.
    String at = Instant.parse("2030-01-01T00:00:00Z").toString();
    ChecksummedFile.write(dir.resolve(IntentionStore.FILE), new IntentionStore.Persisted(List.of(
        new IntentionStore.Entry("3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b", "default", "we b",
            "default", "db", "deny", "old", Map.of(), 5, 5, at, at))),
        new ObjectMapper(), FileMode.OWNER_ONLY);
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().value()).extracting(Intention::toString)
          .anySatisfy(s -> assertThat(s).contains("default/we b => default/db"));
      assertThatThrownBy(() -> server.upsertIntention(IntentionTarget.parse("we b"), DB,
          IntentionAction.ALLOW, "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"we b\"");
      assertThat(server.deleteIntention(IntentionTarget.parse("we b"), DB, NONE)).isTrue();
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
  }
}
