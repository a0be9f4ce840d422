package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.server.internal.ChecksummedFile;
import dev.connect.server.FileMode;
import dev.connect.server.internal.IntentionStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (review of the data directory): intentions whose source or destination was in a
 * namespace other than {@code default} (such as {@code other/web}) were stored, though the CA
 * refuses certificates for other namespaces, so they could never match a connection; Consul
 * Community Edition refuses them ("Namespaces is a Consul Enterprise feature"), the wildcard
 * namespace included since 1.7. Every write path now refuses them, naming the target, before
 * anything is written; reads, matches and deletes of intentions stored earlier still work.
 */
class IntentionOutsideTheDefaultNamespaceTest {
  private static final QueryOptions NONE = QueryOptions.defaults();
  private static final IntentionTarget WEB = IntentionTarget.parse("web");
  private static final IntentionTarget DB = IntentionTarget.parse("db");
  private static final IntentionTarget OTHER_WEB = IntentionTarget.parse("other/web");
  private static final IntentionTarget OTHER_DB = IntentionTarget.parse("other/db");
  private static final IntentionTarget ANY_NAMESPACE = IntentionTarget.parse("*/*");

  @TempDir Path dir;

  private EmbeddedServer open() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).open();
  }

  @Test
  void upsertRefusesASourceOrDestinationInAnotherNamespace() throws Exception {
    try (EmbeddedServer server = open()) {
      long before = server.intentions(NONE).get().index();
      assertThatThrownBy(() -> server.upsertIntention(OTHER_WEB, DB, IntentionAction.ALLOW, "",
          NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("intention source \"other/web\": namespaces other than default are not"
              + " supported (namespaces are a Consul Enterprise feature)");
      assertThatThrownBy(() -> server.upsertIntention(WEB, OTHER_DB, IntentionAction.DENY, "",
          NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention destination \"other/db\"")
          .hasMessageContaining("namespaces other than default are not supported");
      assertThat(server.intentions(NONE).get().value()).isEmpty();
      assertThat(server.intentions(NONE).get().index()).as("nothing written").isEqualTo(before);
    }
  }

  @Test
  void legacyCreateRefusesASourceOrDestinationInAnotherNamespace() throws Exception {
    try (EmbeddedServer server = open()) {
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("other/web", "db", IntentionAction.ALLOW), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention source \"other/web\"")
          .hasMessageContaining("namespaces other than default are not supported");
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("web", "other/db", IntentionAction.ALLOW), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention destination \"other/db\"");
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
  }

  @Test
  void theWildcardNamespaceIsRefusedOnEveryWritePathButTheWildcardNameIsNot() throws Exception {
    try (EmbeddedServer server = open()) {
      assertThatThrownBy(() -> server.upsertIntention(ANY_NAMESPACE, DB, IntentionAction.DENY,
          "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention source \"*/*\"")
          .hasMessageContaining("the wildcard namespace included")
          .hasMessageContaining("write \"*\" for every service of the default namespace");
      assertThatThrownBy(() -> server.upsertIntention(WEB, ANY_NAMESPACE, IntentionAction.DENY,
          "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention destination \"*/*\"");
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("*/*", "*/*", IntentionAction.DENY), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("intention source \"*/*\"");
      assertThat(server.intentions(NONE).get().value()).isEmpty();

      Intention all = server.upsertIntention(IntentionTarget.parse("*"),
          IntentionTarget.parse("*"), IntentionAction.DENY, "", NONE);
      assertThat(all.toString()).contains("default/* => default/*");
      assertThat(server.createIntention(Intention.of("default/web", "db", IntentionAction.ALLOW),
          NONE).id()).isNotEmpty();
    }
  }

  @Test
  void theNamespaceIsCheckedBeforeTheToken() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).open()) {
      assertThatThrownBy(() -> server.upsertIntention(OTHER_WEB, DB, IntentionAction.ALLOW, "",
          NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("other/web");
    }
  }

  @Test
  void anIntentionStoredEarlierInAnotherNamespaceIsStillReadMatchedAndDeletableButNotUpdated()
      throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE);
    }
    // As an earlier build stored it.
    String at = Instant.parse("2030-01-01T00:00:00Z").toString();
    ChecksummedFile.write(dir.resolve(IntentionStore.FILE), new IntentionStore.Persisted(List.of(
        new IntentionStore.Entry("3f2b8c1e-9d4a-4b6e-8f1a-2c3d4e5f6a7b", "other", "web",
            "other", "db", "deny", "old", Map.of(), 5, 5, at, at))),
        new ObjectMapper(), FileMode.OWNER_ONLY);
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().value()).extracting(Intention::toString)
          .anySatisfy(s -> assertThat(s).contains("other/web => other/db"));
      assertThat(server.matchIntentions("other/db", NONE).get().value()).hasSize(1);
      assertThatThrownBy(() -> server.upsertIntention(OTHER_WEB, OTHER_DB,
          IntentionAction.ALLOW, "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("other/web");
      assertThat(server.deleteIntention(OTHER_WEB, OTHER_DB, NONE)).isTrue();
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
  }
}
