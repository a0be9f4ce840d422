package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import dev.connect.core.QueryOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM with SIGKILL while it rotates roots, signs leaves, creates intentions and creates
 * ACL tokens in a data directory, then reopens the directory: it must open, keep every root,
 * intention and token the dead process reported, hand out indexes above every one the dead
 * process reported, and hold no token secret in any file.
 */
class KillDuringWritesTest {
  private static final QueryOptions MANAGEMENT =
      QueryOptions.builder().token(CrashChild.MANAGEMENT).build();

  @TempDir Path dir;

  private record ReportedIntention(String id, String source, long index) {}

  private record ReportedToken(String accessorId, String secret) {}

  private record Report(List<String> roots, long maxIndex, List<ReportedIntention> intentions,
      List<ReportedToken> tokens) {}

  @Test
  void dataDirectoryReopensWithEverythingReportedAfterKillMinus9() throws Exception {
    Random random = new Random(42);
    List<ReportedIntention> intentions = new ArrayList<>();
    List<ReportedToken> tokens = new ArrayList<>();
    // Round 0 kills during the very first start; the others in the middle of writes.
    for (int round = 0; round < 6; round++) {
      int writesBeforeKill = round == 0 ? 0 : 1 + random.nextInt(16);
      Report report = runAndKill(writesBeforeKill);
      intentions.addAll(report.intentions);
      tokens.addAll(report.tokens);
      try (EmbeddedServer server = CrashChild.open(dir)) {
        CaRoots roots = Leaves.roots(server);
        List<String> ids = roots.roots().stream().map(CaRoot::id).toList();
        assertThat(ids).as("round %d: every reported root is still listed", round)
            .containsAll(report.roots);
        if (!report.roots.isEmpty()) {
          String last = report.roots.get(report.roots.size() - 1);
          // The kill may land after a rotation became durable but before it was reported.
          assertThat(ids.indexOf(roots.activeRootId())).as("round %d", round)
              .isGreaterThanOrEqualTo(ids.indexOf(last));
        }
        for (ReportedIntention reported : intentions) {
          Optional<Intention> found = server.intention(reported.id, MANAGEMENT);
          assertThat(found).as("round %d: intention %s", round, reported.id).isPresent();
          assertThat(found.get().source().name()).isEqualTo(reported.source);
          assertThat(found.get().modifyIndex()).isEqualTo(reported.index);
        }
        for (ReportedToken reported : tokens) {
          assertThat(server.token(reported.accessorId, MANAGEMENT))
              .as("round %d: token %s", round, reported.accessorId).isPresent();
          assertThat(server.tokenSelf(QueryOptions.builder().token(reported.secret).build())
              .accessorId()).isEqualTo(reported.accessorId);
        }
        assertThat(Leaves.issue(server, "web", MANAGEMENT).createIndex()).as("round %d", round)
            .isGreaterThan(report.maxIndex);
        assertThat(Leaves.pkix(Leaves.issue(server, "db", MANAGEMENT).chain(),
            roots.certificates(), java.time.Instant.now())).isIn(roots.certificates());
      }
      assertNoFileHolds(tokens);
    }
    assertThat(intentions).as("the rounds created intentions").isNotEmpty();
    assertThat(tokens).as("the rounds created tokens").isNotEmpty();
  }

  private void assertNoFileHolds(List<ReportedToken> tokens) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(content).as(file.toString()).doesNotContain(CrashChild.MANAGEMENT);
        for (ReportedToken token : tokens) {
          assertThat(content).as(file.toString()).doesNotContain(token.secret);
        }
      }
    }
  }

  private Report runAndKill(int writesBeforeKill) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> roots = new ArrayList<>();
    List<ReportedIntention> intentions = new ArrayList<>();
    List<ReportedToken> tokens = new ArrayList<>();
    long maxIndex = 0;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int writes = 0;
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals("STARTING") && writesBeforeKill == 0) {
          break;
        }
        String[] parts = line.split(" ");
        switch (parts[0]) {
          case "READY", "ROTATED" -> roots.add(parts[1]);
          case "LEAF" -> maxIndex = Math.max(maxIndex, Long.parseLong(parts[1]));
          case "INTENTION" -> {
            long index = Long.parseLong(parts[3]);
            intentions.add(new ReportedIntention(parts[1], parts[2], index));
            maxIndex = Math.max(maxIndex, index);
          }
          case "TOKEN" -> tokens.add(new ReportedToken(parts[1], parts[2]));
          default -> { }
        }
        if (!parts[0].equals("READY") && !parts[0].equals("STARTING")
            && ++writes >= writesBeforeKill) {
          break;
        }
        if (line.equals("DONE")) {
          break;
        }
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exits after SIGKILL").isTrue();
    } finally {
      child.destroyForcibly();
    }
    return new Report(roots, maxIndex, intentions, tokens);
  }
}
