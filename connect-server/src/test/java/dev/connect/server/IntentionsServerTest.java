package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.testkit.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Intentions in the embedded server with ACLs off: storage, matching, blocking and decisions. */
class IntentionsServerTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final QueryOptions NONE = QueryOptions.defaults();
  private static final IntentionTarget WEB = IntentionTarget.parse("web");
  private static final IntentionTarget DB = IntentionTarget.parse("db");
  private static final IntentionTarget ANY = IntentionTarget.parse("*");

  @TempDir Path dir;
  final FakeTime clock = FakeTime.at(START);

  private EmbeddedServer open() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).open();
  }

  private static QueryOptions after(long index) {
    return QueryOptions.builder().minIndex(index).maxWait(Duration.ofMinutes(5)).build();
  }

  private static List<String> pairs(List<Intention> intentions) {
    return intentions.stream().map(i -> i.source() + " => " + i.destination()).toList();
  }

  @Test
  void createAssignsIdTimesAndIndexAndSurvivesReopen() throws Exception {
    Intention created;
    try (EmbeddedServer server = open()) {
      long before = server.intentions(NONE).get().index();
      clock.advance(Duration.ofMinutes(3));
      created = server.createIntention(Intention.builder(WEB, DB, IntentionAction.ALLOW)
          .description("web talks to db").meta(Map.of("owner", "team-a")).build(), NONE);
      assertThat(created.id()).matches("[0-9a-f-]{36}");
      assertThat(created.createdAt()).contains(START.plus(Duration.ofMinutes(3)));
      assertThat(created.updatedAt()).isEqualTo(created.createdAt());
      assertThat(created.createIndex()).isGreaterThan(before).isEqualTo(created.modifyIndex());
      assertThat(created.meta()).containsEntry("owner", "team-a");
      assertThat(server.intention(created.id(), NONE)).contains(created);
      assertThat(server.intentions(NONE).get().index()).isEqualTo(created.modifyIndex());
    }
    try (EmbeddedServer server = open()) {
      assertThat(server.intention(created.id(), NONE)).contains(created);
      assertThat(server.intention(WEB, DB, NONE)).contains(created);
      assertThat(server.intentions(NONE).get().value()).containsExactly(created);
      Intention next = server.createIntention(Intention.of("api", "db", IntentionAction.DENY),
          NONE);
      assertThat(next.createIndex()).isGreaterThan(created.modifyIndex());
    }
  }

  @Test
  void createWithAnIdIsRefused() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention withId = Intention.builder(WEB, DB, IntentionAction.ALLOW)
          .id("353609c9-81a8-0081-5b0a-5608979d6d3a").build();
      assertThatThrownBy(() -> server.createIntention(withId, NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("ID must be empty when creating a new intention");
      assertThat(server.intentions(NONE).get().value()).isEmpty();
    }
  }

  @Test
  void duplicatePairIsRefusedNamingThePair() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention first = server.createIntention(Intention.of("web", "db", IntentionAction.ALLOW),
          NONE);
      long index = server.intentions(NONE).get().index();
      assertThatThrownBy(() -> server.createIntention(
          Intention.of("web", "db", IntentionAction.DENY), NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("duplicate intention found: default/web => default/db (ID: " + first.id()
              + ", Precedence: 9, Action: ALLOW)");
      assertThat(server.intentions(NONE).get().index()).isEqualTo(index);
      assertThat(server.intention(WEB, DB, NONE)).contains(first);
    }
  }

  @Test
  void upsertUpdatesByPairKeepingTheIdAndCreatesWithoutOne() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention legacy = server.createIntention(Intention.builder(WEB, DB, IntentionAction.ALLOW)
          .meta(Map.of("k", "v")).build(), NONE);
      clock.advance(Duration.ofMinutes(1));
      Intention updated = server.upsertIntention(WEB, DB, IntentionAction.DENY, "now denied",
          NONE);
      assertThat(updated.id()).isEqualTo(legacy.id());
      assertThat(updated.action()).isEqualTo(IntentionAction.DENY);
      assertThat(updated.description()).isEqualTo("now denied");
      assertThat(updated.meta()).isEqualTo(legacy.meta());
      assertThat(updated.createIndex()).isEqualTo(legacy.createIndex());
      assertThat(updated.modifyIndex()).isGreaterThan(legacy.modifyIndex());
      assertThat(updated.createdAt()).isEqualTo(legacy.createdAt());
      assertThat(updated.updatedAt()).contains(START.plus(Duration.ofMinutes(1)));

      Intention exact = server.upsertIntention(ANY, DB, IntentionAction.ALLOW, "", NONE);
      assertThat(exact.id()).isEmpty();
      assertThat(exact.createdAt()).isEmpty();
      assertThat(exact.createIndex()).isEqualTo(exact.modifyIndex())
          .isGreaterThan(updated.modifyIndex());
      assertThat(server.intention(ANY, DB, NONE)).contains(exact);
    }
    try (EmbeddedServer server = open()) {
      assertThat(server.intention(ANY, DB, NONE).orElseThrow().id()).isEmpty();
      assertThat(server.intention(WEB, DB, NONE).orElseThrow().action())
          .isEqualTo(IntentionAction.DENY);
    }
  }

  @Test
  void upsertThatChangesNothingWritesNothing() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention first = server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "d", NONE);
      long index = server.intentions(NONE).get().index();
      assertThat(server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "d", NONE))
          .isEqualTo(first);
      assertThat(server.intentions(NONE).get().index()).isEqualTo(index);
    }
  }

  @Test
  void lookupsByIdAndPair() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention created = server.createIntention(Intention.of("web", "db",
          IntentionAction.ALLOW), NONE);
      assertThat(server.intention("00000000-0000-0000-0000-000000000000", NONE)).isEmpty();
      assertThat(server.intention(DB, WEB, NONE)).isEmpty();
      assertThat(server.intention(ANY, DB, NONE)).as("wildcards are values here").isEmpty();
      assertThat(server.intention(created.id(), NONE)).contains(created);
      assertThatThrownBy(() -> server.intention("not-a-uuid", NONE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-a-uuid");
    }
  }

  @Test
  void deleteByIdAndByPairAndTheDeletionsPersist() throws Exception {
    try (EmbeddedServer server = open()) {
      Intention a = server.createIntention(Intention.of("web", "db", IntentionAction.ALLOW),
          NONE);
      server.upsertIntention(ANY, DB, IntentionAction.DENY, "", NONE);
      server.upsertIntention(WEB, ANY, IntentionAction.DENY, "", NONE);
      long before = server.intentions(NONE).get().index();
      assertThat(server.deleteIntention(a.id(), NONE)).isTrue();
      assertThat(server.deleteIntention(a.id(), NONE)).isFalse();
      assertThat(server.deleteIntention(ANY, DB, NONE)).isTrue();
      assertThat(server.deleteIntention(ANY, DB, NONE)).isFalse();
      assertThat(server.intentions(NONE).get().index()).isEqualTo(before + 2);
    }
    try (EmbeddedServer server = open()) {
      assertThat(pairs(server.intentions(NONE).get().value()))
          .containsExactly("default/web => default/*");
    }
  }

  @Test
  void listAndMatchAreSortedByPrecedence() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(ANY, ANY, IntentionAction.DENY, "", NONE);
      server.upsertIntention(WEB, ANY, IntentionAction.ALLOW, "", NONE);
      server.upsertIntention(ANY, DB, IntentionAction.ALLOW, "", NONE);
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE);
      server.upsertIntention(IntentionTarget.parse("api"), IntentionTarget.parse("cache"),
          IntentionAction.ALLOW, "", NONE);

      assertThat(pairs(server.intentions(NONE).get().value())).containsExactly(
          "default/api => default/cache", "default/web => default/db", "default/* => default/db",
          "default/web => default/*", "default/* => default/*");
      QueryResult<List<Intention>> db = server.matchIntentions("db", NONE).get();
      assertThat(db.value()).extracting(Intention::precedence).containsExactly(9, 8, 6, 5);
      assertThat(pairs(db.value())).containsExactly("default/web => default/db",
          "default/* => default/db", "default/web => default/*", "default/* => default/*");
      assertThat(db.index()).isEqualTo(server.intentions(NONE).get().index());
      assertThat(pairs(server.matchIntentionsBySource("web", NONE).get().value()))
          .containsExactly("default/web => default/db", "default/* => default/db",
              "default/web => default/*", "default/* => default/*");
      assertThat(server.matchIntentions("default/cache", NONE).get().value())
          .extracting(Intention::precedence).containsExactly(9, 6, 5);
    }
  }

  @Test
  void invalidMatchNameFailsTheFuture() throws Exception {
    try (EmbeddedServer server = open()) {
      CompletableFuture<QueryResult<List<Intention>>> f = server.matchIntentions("we*", NONE);
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("we*");
    }
  }

  @Test
  void blockingListAnswersWhenAnIntentionIsWrittenNotForOtherTables() throws Exception {
    try (EmbeddedServer server = open()) {
      long index = server.intentions(NONE).get().index();
      CompletableFuture<QueryResult<List<Intention>>> waiting = server.intentions(after(index));
      Leaves.issue(server, "web");
      server.rotateRoot(NONE);
      assertThat(waiting).isNotDone();
      Intention created = server.createIntention(Intention.of("web", "db",
          IntentionAction.ALLOW), NONE);
      QueryResult<List<Intention>> answer = waiting.get(10, TimeUnit.SECONDS);
      assertThat(answer.value()).containsExactly(created);
      assertThat(answer.index()).isEqualTo(created.modifyIndex()).isGreaterThan(index);
    }
  }

  @Test
  void blockingMatchAnswersWhenAMatchingWriteLands() throws Exception {
    try (EmbeddedServer server = open()) {
      QueryResult<List<Intention>> first = server.matchIntentions("db", NONE).get();
      assertThat(first.value()).isEmpty();
      CompletableFuture<QueryResult<List<Intention>>> waiting =
          server.matchIntentions("db", after(first.index()));
      server.updateCaConfiguration(server.caConfiguration(NONE).toBuilder()
          .leafCertTtl(Duration.ofHours(24)).build(), NONE);
      Leaves.issue(server, "db");
      assertThat(waiting).isNotDone();
      Intention deny = server.upsertIntention(ANY, DB, IntentionAction.DENY, "", NONE);
      QueryResult<List<Intention>> answer = waiting.get(10, TimeUnit.SECONDS);
      assertThat(answer.value()).containsExactly(deny);
      assertThat(answer.index()).isEqualTo(deny.modifyIndex());

      // A blocked query on an index it already passed answers at once, as Consul does.
      assertThat(server.matchIntentions("db", after(first.index())).get(10, TimeUnit.SECONDS)
          .value()).containsExactly(deny);
    }
  }

  @Test
  void blockingQueriesAnswerWhenTheServerCloses() throws Exception {
    CompletableFuture<QueryResult<List<Intention>>> waiting;
    try (EmbeddedServer server = open()) {
      long index = server.intentions(NONE).get().index();
      waiting = server.matchIntentions("db", after(index));
    }
    assertThat(waiting.get(10, TimeUnit.SECONDS).value()).isEmpty();
  }

  @Test
  void checkAndAuthorizeWithAclsOffGiveConsulsReasons() throws Exception {
    try (EmbeddedServer server = open()) {
      String td = server.trustDomain().trustDomain();
      String web = "spiffe://" + td + "/ns/default/dc/dc1/svc/web";

      Decision none = server.checkIntention("web", "db", NONE);
      assertThat(none.allowed()).isTrue();
      assertThat(none.reason()).isEqualTo("ACLs disabled, access is allowed by default");
      assertThat(server.authorize("db", web, "0a", NONE).reason())
          .isEqualTo("ACLs disabled, access is allowed by default");

      Intention deny = server.createIntention(Intention.of("web", "db", IntentionAction.DENY),
          NONE);
      Decision denied = server.authorize("db", web, "", NONE);
      assertThat(denied.allowed()).isFalse();
      assertThat(denied.reason()).isEqualTo("Matched L4 intention: default/web => default/db (ID: "
          + deny.id() + ", Precedence: 9, Action: DENY)");
      assertThat(denied.intention()).contains(deny);
      assertThat(server.checkIntention("web", "db", NONE)).isEqualTo(denied);

      Intention exact = server.upsertIntention(ANY, DB, IntentionAction.ALLOW, "", NONE);
      Decision api = server.authorize("db", "spiffe://" + td + "/ns/default/dc/dc2/svc/api",
          "", NONE);
      assertThat(api.allowed()).isTrue();
      assertThat(api.reason()).isEqualTo(
          "Matched L4 intention: default/* => default/db (Precedence: 8, Action: ALLOW)");
      assertThat(api.intention()).contains(exact);
    }
  }

  @Test
  void authorizeDeniesMalformedAndForeignClientsAndRefusesAnEmptyTarget() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(ANY, ANY, IntentionAction.ALLOW, "", NONE);
      Decision notSpiffe = server.authorize("db", "https://web", "", NONE);
      assertThat(notSpiffe.allowed()).isFalse();
      assertThat(notSpiffe.reason()).startsWith("ClientCertURI not a valid Connect identifier");
      Decision agent = server.authorize("db", "spiffe://" + server.trustDomain().trustDomain()
          + "/agent/client/dc/dc1/id/node-1", "", NONE);
      assertThat(agent.allowed()).isFalse();
      assertThat(agent.reason()).startsWith("ClientCertURI not a valid Service identifier");
      Decision foreign = server.authorize("db",
          "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web", "",
          NONE);
      assertThat(foreign.allowed()).isFalse();
      assertThat(foreign.reason()).isEqualTo("Identity from an external trust domain:"
          + " 11111111-2222-3333-4444-555555555555.consul");
      assertThatThrownBy(() -> server.authorize("", "spiffe://x.consul/ns/default/dc/dc1/svc/w",
          "", NONE)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Target service must be specified");
      assertThatThrownBy(() -> server.checkIntention("*", "db", NONE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wildcard");
    }
  }

  @Test
  void intentionIndexesNeverRepeatAcrossRestartsPastOneReservation() throws Exception {
    long last = 0;
    try (EmbeddedServer server = open()) {
      for (int i = 0; i < 1100; i++) {
        IntentionAction action = i % 2 == 0 ? IntentionAction.ALLOW : IntentionAction.DENY;
        long index = server.upsertIntention(WEB, DB, action, "", NONE).modifyIndex();
        assertThat(index).isGreaterThan(last);
        last = index;
      }
    }
    try (EmbeddedServer server = open()) {
      assertThat(server.intentions(NONE).get().index()).isGreaterThanOrEqualTo(last);
      assertThat(Leaves.issue(server, "web").createIndex()).isGreaterThan(last);
      assertThat(server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "x", NONE).modifyIndex())
          .isGreaterThan(last);
    }
  }

  @Test
  void corruptIntentionsFileIsReportedNotReplaced() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE);
    }
    Path file = dir.resolve("intentions.json");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("intentions.json").hasMessageContaining("corrupt");
    Files.write(file, bytes);
    try (EmbeddedServer server = open()) {
      assertThat(server.intention(WEB, DB, NONE)).isPresent();
    }
  }

  @Test
  void stateFilesAreOwnerOnly() throws Exception {
    try (EmbeddedServer server = open()) {
      server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE);
    }
    for (String name : List.of("intentions.json", "index.json", "state.json", "acl.json")) {
      assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void writesAfterCloseAreRefused() throws Exception {
    EmbeddedServer server = open();
    server.close();
    assertThatThrownBy(() -> server.upsertIntention(WEB, DB, IntentionAction.ALLOW, "", NONE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(server.toString()).contains("acls=disabled");
  }
}
