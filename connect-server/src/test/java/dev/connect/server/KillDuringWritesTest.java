package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM with SIGKILL while it rotates roots and signs leaves in a data directory, then
 * reopens the directory: it must open, keep every root the dead process reported, and hand out
 * indexes above every one the dead process reported.
 */
class KillDuringWritesTest {
  @TempDir Path dir;

  @Test
  void dataDirectoryReopensWithTheSameRootsAfterKillMinus9() throws Exception {
    Random random = new Random(42);
    // Round 0 kills during the very first start; the others in the middle of writes.
    for (int round = 0; round < 6; round++) {
      int writesBeforeKill = round == 0 ? 0 : 1 + random.nextInt(12);
      Report report = runAndKill(writesBeforeKill);
      try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
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
        assertThat(Leaves.issue(server, "web").createIndex()).as("round %d", round)
            .isGreaterThan(report.maxIndex);
        assertThat(Leaves.pkix(Leaves.issue(server, "db").chain(), roots.certificates(),
            java.time.Instant.now())).isIn(roots.certificates());
      }
    }
  }

  private record Report(List<String> roots, long maxIndex) {}

  private Report runAndKill(int writesBeforeKill) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> roots = new ArrayList<>();
    long maxIndex = 0;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int writes = 0;
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals("STARTING") && writesBeforeKill == 0) {
          break;
        }
        if (line.startsWith("READY ") || line.startsWith("ROTATED ")) {
          roots.add(line.substring(line.indexOf(' ') + 1));
        }
        if (line.startsWith("LEAF ")) {
          maxIndex = Math.max(maxIndex, Long.parseLong(line.substring(5)));
        }
        if ((line.startsWith("ROTATED ") || line.startsWith("LEAF ")) && ++writes >= writesBeforeKill) {
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
    return new Report(roots, maxIndex);
  }
}
