package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (adversarial review, item 1): a refused second open of a data directory in the JVM
 * that holds it closed a channel of the {@code LOCK} file (after {@code
 * OverlappingFileLockException}, and again to read the holder's description). On Linux that
 * releases the process's POSIX lock, so another process could then open and write the directory
 * while the first server kept running and later overwrote what it wrote. Only closing the
 * holding server may release the lock.
 */
class RefusedSecondOpenKeepsTheLockTest {
  @TempDir Path dir;

  @Test
  void anotherProcessIsStillRefusedAfterARefusedOpenInTheHoldingJvm() throws Exception {
    try (EmbeddedServer first = EmbeddedServer.builder().dataDirectory(dir).open()) {
      assertThatThrownBy(() -> EmbeddedServer.builder().dataDirectory(dir).open())
          .isInstanceOf(DataDirectoryException.class)
          .hasMessageContaining("in use by another Connect server")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      // Another path to the same directory is the same directory.
      assertThatThrownBy(() -> EmbeddedServer.builder()
          .dataDirectory(dir.resolve(".").resolve("..").resolve(dir.getFileName())).open())
          .isInstanceOf(DataDirectoryException.class);

      assertThat(probe()).startsWith("REFUSED ")
          .contains("in use by another Connect server")
          .contains("pid " + ProcessHandle.current().pid());
    }
    assertThat(probe()).as("closing the holder releases the directory").isEqualTo("OPENED");
  }

  /** Runs {@link LockProbe} on the directory in a JVM of its own and returns what it printed. */
  private String probe() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LockProbe.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the probe exits").isTrue();
      return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    } finally {
      child.destroyForcibly();
    }
  }
}
