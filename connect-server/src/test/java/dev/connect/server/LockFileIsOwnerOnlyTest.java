package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (review of the data directory): the {@code LOCK} file, which names the holder's
 * process ID and start time, was created with the process umask (typically {@code rw-r--r--})
 * while every other file of the directory is owner-only. It is now created {@code rw-------}.
 */
class LockFileIsOwnerOnlyTest {
  @TempDir Path parent;

  @Test
  void theLockFileOfANewDirectoryIsOwnerOnly() throws Exception {
    Path dir = parent.resolve("connect-data");
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
      assertThat(Files.getPosixFilePermissions(dir))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(Files.getPosixFilePermissions(dir.resolve("LOCK")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.readString(dir.resolve("LOCK")))
          .startsWith("pid " + ProcessHandle.current().pid() + ", since ");
    }
  }

  @Test
  void theLockFileIsOwnerOnlyInADirectoryTheUserCreated() throws Exception {
    Path dir = Files.createDirectory(parent.resolve("made-by-hand"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
      assertThat(Files.getPosixFilePermissions(dir.resolve("LOCK")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }
}
