package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.Decision;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.server.internal.ChecksummedFile;
import dev.connect.server.FileMode;
import dev.connect.server.internal.IntentionStore;
import dev.connect.testkit.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (review of the data directory): a missing {@code intentions.json} or {@code
 * acl.json} was read as empty, so deleting one silently dropped every intention (with ACLs off,
 * every connection was then allowed) or every token (and {@code acl bootstrap} worked again); a
 * missing {@code index.json} was rebuilt from the other files, which record no leaf index, so an
 * index could repeat. An initialized directory now holds all three from its creation on and is
 * refused, naming the file, when one is missing; a directory of the earlier layout gets its
 * missing intentions and ACL files once, then the same protection.
 */
class MissingStateFileIsRefusedTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final QueryOptions NONE = QueryOptions.defaults();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final IntentionTarget WEB = IntentionTarget.parse("web");
  private static final IntentionTarget DB = IntentionTarget.parse("db");

  @TempDir Path dir;
  final FakeTime clock = FakeTime.at(START);

  private EmbeddedServer open() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).open();
  }

  private EmbeddedServer openWithAcls() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).open();
  }

  @Test
  void aNewDirectoryHoldsEveryStateFileOwnerOnlyFromItsCreation() throws Exception {
    try (EmbeddedServer server = open()) {
      for (String name : List.of("state.json", "index.json", "intentions.json", "acl.json")) {
        assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      }
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
    assertThat(dir.resolve("INITIALIZING")).doesNotExist();
    assertThat(layout()).isEqualTo(1);
  }

  @Test
  void aMissingIntentionsFileIsRefusedNotReadAsNoIntentions() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.DENY, "", NONE);
    }
    Path file = dir.resolve("intentions.json");
    byte[] backup = Files.readAllBytes(file);
    Files.delete(file);

    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("missing")
        .hasMessageContaining("every intention would be gone")
        .hasMessageContaining("Restore it from a backup")
        .satisfies(e -> assertThat(((DataDirectoryException) e).path()).isEqualTo(file));
    assertThat(file).as("never recreated").doesNotExist();

    Files.write(file, backup);
    try (EmbeddedServer server = open()) {
      Decision d = server.checkIntention("web", "db", NONE);
      assertThat(d.allowed()).as("the deny survived the restore").isFalse();
    }
  }

  @Test
  void aMissingAclFileIsRefusedSoBootstrapIsNotPossibleAgain() throws Exception {
    AclToken management;
    try (EmbeddedServer server = openWithAcls()) {
      management = server.bootstrapAcl();
    }
    Path file = dir.resolve("acl.json");
    byte[] backup = Files.readAllBytes(file);
    Files.delete(file);

    assertThatThrownBy(this::openWithAcls).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("missing")
        .hasMessageContaining("ACLs could be bootstrapped again")
        .hasMessageContaining("Restore it from a backup");
    assertThatThrownBy(this::open).as("with ACLs off too")
        .isInstanceOf(DataDirectoryException.class).hasMessageContaining("acl.json");
    assertThat(file).doesNotExist();

    Files.write(file, backup);
    try (EmbeddedServer server = openWithAcls()) {
      assertThat(server.tokenSelf(QueryOptions.builder().token(management.revealSecretId())
          .build()).accessorId()).isEqualTo(management.accessorId());
    }
  }

  @Test
  void aMissingIndexFileIsRefusedSinceALeafIndexCouldRepeat() throws Exception {
    long last = 0;
    try (EmbeddedServer server = open()) {
      // More leaves than one reservation: the floor moves on in index.json only.
      for (int i = 0; i < 1100; i++) {
        last = Leaves.issue(server, "web").createIndex();
      }
    }
    Map<String, Object> state = state();
    assertThat(((Number) state.get("indexFloor")).longValue())
        .as("the floor state.json kept is below the last leaf's index: resuming from it would"
            + " hand that index out again")
        .isLessThanOrEqualTo(last);
    Path file = dir.resolve("index.json");
    byte[] backup = Files.readAllBytes(file);
    Files.delete(file);

    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("missing")
        .hasMessageContaining("index twice").hasMessageContaining("from a backup");
    assertThat(file).doesNotExist();

    Files.write(file, backup);
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.issue(server, "web").createIndex()).isGreaterThan(last);
    }
  }

  @Test
  void stateFilesWithoutStateJsonAreRefusedNotReplacedByANewCa() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE);
    }
    Files.delete(dir.resolve("state.json"));
    try (Stream<Path> keys = Files.list(dir.resolve("keys"))) {
      for (Path key : keys.toList()) {
        Files.delete(key);
      }
    }
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("intentions.json").hasMessageContaining("acl.json")
        .hasMessageContaining("index.json").hasMessageContaining("but no state.json");
    assertThat(dir.resolve("state.json")).doesNotExist();
  }

  @Test
  void anInterruptedFirstStartWritesEveryStateFileAgain() throws Exception {
    // A first start killed after intentions.json, before acl.json and state.json.
    Files.writeString(dir.resolve("INITIALIZING"), "");
    ChecksummedFile.write(dir.resolve("intentions.json"),
        new IntentionStore.Persisted(List.of()), MAPPER, FileMode.OWNER_ONLY);
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
    assertThat(dir.resolve("INITIALIZING")).doesNotExist();
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().value()).isEmpty();
      assertThat(dir.resolve("acl.json")).exists();
      assertThat(dir.resolve("index.json")).exists();
    }
  }

  @Test
  void aDirectoryOfTheEarlierLayoutGetsItsMissingFilesOnceThenTheirLossIsRefused()
      throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.DENY, "", NONE);
    }
    // As an earlier build left it: no layout in state.json, no acl.json since no ACL write.
    Map<String, Object> state = state();
    state.remove("layout");
    ChecksummedFile.write(dir.resolve("state.json"), state, MAPPER, FileMode.OWNER_ONLY);
    Files.delete(dir.resolve("acl.json"));

    try (EmbeddedServer server = open()) {
      assertThat(server.checkIntention("web", "db", NONE).allowed()).isFalse();
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("acl.json")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(layout()).isEqualTo(1);

    Files.delete(dir.resolve("acl.json"));
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("acl.json").hasMessageContaining("missing");
  }

  @Test
  void anEarlierLayoutWithoutIndexFileIsRefusedToo() throws Exception {
    try (EmbeddedServer server = open()) {
      Leaves.issue(server, "web");
    }
    Map<String, Object> state = state();
    state.remove("layout");
    ChecksummedFile.write(dir.resolve("state.json"), state, MAPPER, FileMode.OWNER_ONLY);
    Files.delete(dir.resolve("index.json"));
    Files.delete(dir.resolve("intentions.json"));

    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("index.json");
    assertThat(dir.resolve("intentions.json")).as("nothing created before the refusal")
        .doesNotExist();
  }

  @Test
  void aLayoutFromANewerBuildIsRefused() throws Exception {
    try (EmbeddedServer server = open()) {
      Leaves.roots(server);
    }
    Map<String, Object> state = state();
    state.put("layout", 2);
    ChecksummedFile.write(dir.resolve("state.json"), state, MAPPER, FileMode.OWNER_ONLY);
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("state.json")
        .hasMessageContaining("unsupported data directory layout 2");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> state() throws Exception {
    return new LinkedHashMap<>(
        ChecksummedFile.read(dir.resolve("state.json"), Map.class, MAPPER));
  }

  private int layout() throws Exception {
    return ((Number) state().get("layout")).intValue();
  }
}
