package dev.connect.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @BeforeEach
  void requirePosix() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "permissions are POSIX permissions");
  }

  @Test
  void writesContent() throws IOException {
    Path target = dir.resolve("roots.json");

    AtomicFiles.write(target, "hello".getBytes(UTF_8), FileMode.SHARED);

    assertThat(target).hasContent("hello");
    assertThat(entries(dir)).containsExactly("roots.json");
  }

  @Test
  void ownerOnlyFileIsCreated0600() throws IOException {
    Path target = dir.resolve("key.pem");

    AtomicFiles.write(target, "secret".getBytes(UTF_8), FileMode.OWNER_ONLY);

    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(perms("rw-------"));
  }

  @Test
  void sharedFileIsCreatedWorldReadableAsTheUmaskAllows() throws IOException {
    Path target = dir.resolve("ca.pem");

    AtomicFiles.write(target, "cert".getBytes(UTF_8), FileMode.SHARED);

    assertThat(Files.getPosixFilePermissions(target))
        .isEqualTo(createdWith(perms("rw-r--r--")))
        .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
        .isSubsetOf(perms("rw-r--r--"));
  }

  @Test
  void replacesAnExistingFileWithTheNewModeAndContent() throws IOException {
    Path target = dir.resolve("key.pem");
    Files.writeString(target, "old content that is longer than the new one");
    Files.setPosixFilePermissions(target, perms("rw-r--r--"));

    AtomicFiles.write(target, "new".getBytes(UTF_8), FileMode.OWNER_ONLY);

    assertThat(target).hasContent("new");
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(perms("rw-------"));
    assertThat(entries(dir)).containsExactly("key.pem");
  }

  @Test
  void writesEmptyAndLargeContent() throws IOException {
    Path empty = dir.resolve("empty");
    Path large = dir.resolve("large");
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(bytes);

    AtomicFiles.write(empty, new byte[0], FileMode.SHARED);
    AtomicFiles.write(large, bytes, FileMode.SHARED);

    assertThat(empty).isEmptyFile();
    assertThat(large).hasBinaryContent(bytes);
  }

  @Test
  void doesNotKeepAReferenceToTheCallersArray() throws IOException {
    Path target = dir.resolve("f");
    byte[] content = "abc".getBytes(UTF_8);

    AtomicFiles.write(target, content, FileMode.SHARED);
    content[0] = 'x';

    assertThat(target).hasContent("abc");
  }

  @Test
  void failureToReplaceLeavesNoTemporaryFileAndNamesTheTarget() throws IOException {
    Path target = dir.resolve("state.json");
    Files.createDirectory(target);
    Files.writeString(target.resolve("inside"), "keep me");

    assertThatThrownBy(() -> AtomicFiles.write(target, "x".getBytes(UTF_8), FileMode.OWNER_ONLY))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(target.toString());

    assertThat(entries(dir)).containsExactly("state.json");
    assertThat(target.resolve("inside")).hasContent("keep me");
  }

  @Test
  void targetDirectoryThatIsAFileFailsAndLeavesNothingBehind() throws IOException {
    Path notADirectory = dir.resolve("data");
    Files.writeString(notADirectory, "a file");
    Path target = notADirectory.resolve("state.json");

    assertThatThrownBy(() -> AtomicFiles.write(target, "x".getBytes(UTF_8), FileMode.SHARED))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(target.toString());

    assertThat(entries(dir)).containsExactly("data");
    assertThat(notADirectory).hasContent("a file");
  }

  @Test
  void missingTargetDirectoryFails() {
    Path target = dir.resolve("missing").resolve("state.json");

    assertThatThrownBy(() -> AtomicFiles.write(target, "x".getBytes(UTF_8), FileMode.SHARED))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(target.toString());
    assertThat(dir.resolve("missing")).doesNotExist();
  }

  @Test
  void unwritableDirectoryFailsAndKeepsTheOldContent() throws IOException {
    Path target = dir.resolve("state.json");
    AtomicFiles.write(target, "old".getBytes(UTF_8), FileMode.SHARED);
    Files.setPosixFilePermissions(dir, perms("r-x------"));
    try {
      assumeTrue(!Files.isWritable(dir), "running as a user that ignores permissions (root)");

      assertThatThrownBy(() -> AtomicFiles.write(target, "new".getBytes(UTF_8), FileMode.SHARED))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(target.toString());
    } finally {
      Files.setPosixFilePermissions(dir, perms("rwx------"));
    }
    assertThat(target).hasContent("old");
    assertThat(entries(dir)).containsExactly("state.json");
  }

  @Test
  void replacesASymbolicLinkInsteadOfWritingThroughIt() throws IOException {
    Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "untouched");
    Path target = Files.createSymbolicLink(dir.resolve("state.json"), elsewhere);

    AtomicFiles.write(target, "new".getBytes(UTF_8), FileMode.OWNER_ONLY);

    assertThat(Files.isSymbolicLink(target)).isFalse();
    assertThat(target).hasContent("new");
    assertThat(elsewhere).hasContent("untouched");
  }

  @Test
  void targetWithoutParentIsRejected() {
    Path root = dir.getRoot();

    assertThatThrownBy(() -> AtomicFiles.write(root, new byte[0], FileMode.SHARED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(root.toString());
  }

  @Test
  void concurrentReadersSeeOneWholeVersionOrAnother() throws Exception {
    Path target = dir.resolve("state.json");
    List<byte[]> versions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      byte[] version = new byte[64 * 1024 + i];
      Arrays.fill(version, (byte) ('a' + i));
      versions.add(version);
    }
    AtomicFiles.write(target, versions.get(0), FileMode.OWNER_ONLY);
    ExecutorService threads = Executors.newFixedThreadPool(3);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        writers.add(threads.submit(() -> {
          for (int i = 0; i < 100; i++) {
            AtomicFiles.write(target, versions.get(i % versions.size()), FileMode.OWNER_ONLY);
          }
          return null;
        }));
      }
      Future<Integer> reader = threads.submit(() -> {
        int reads = 0;
        while (writing.get() || reads == 0) {
          byte[] seen = Files.readAllBytes(target);
          assertThat(versions).anySatisfy(v -> assertThat(seen).isEqualTo(v));
          reads++;
        }
        return reads;
      });
      for (Future<?> writer : writers) {
        writer.get(10, TimeUnit.SECONDS); // a hang guard only
      }
      writing.set(false);
      assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
    } finally {
      threads.shutdownNow();
    }
    assertThat(entries(dir)).containsExactly("state.json");
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(perms("rw-------"));
  }

  @Test
  void createsMissingDirectoriesOwnerOnly() throws IOException {
    Path data = dir.resolve("a").resolve("b").resolve("data");

    AtomicFiles.createDirectories(data, FileMode.OWNER_ONLY);

    assertThat(data).isDirectory();
    for (Path p : List.of(dir.resolve("a"), dir.resolve("a/b"), data)) {
      assertThat(Files.getPosixFilePermissions(p)).as(p.toString()).isEqualTo(perms("rwx------"));
    }
  }

  @Test
  void createsMissingDirectoriesShared() throws IOException {
    Path data = dir.resolve("shared").resolve("data");

    AtomicFiles.createDirectories(data, FileMode.SHARED);

    assertThat(Files.getPosixFilePermissions(data))
        .isEqualTo(createdWith(perms("rwxr-xr-x")));
  }

  @Test
  void leavesExistingDirectoriesAsTheyAre() throws IOException {
    Path existing = dir.resolve("existing");
    Files.createDirectory(existing);
    Files.setPosixFilePermissions(existing, perms("rwxr-x---"));

    AtomicFiles.createDirectories(existing.resolve("new"), FileMode.OWNER_ONLY);
    AtomicFiles.createDirectories(existing, FileMode.OWNER_ONLY);

    assertThat(Files.getPosixFilePermissions(existing)).isEqualTo(perms("rwxr-x---"));
    assertThat(Files.getPosixFilePermissions(existing.resolve("new")))
        .isEqualTo(perms("rwx------"));
  }

  @Test
  void directoryThatIsAFileFails() throws IOException {
    Path file = dir.resolve("data");
    Files.writeString(file, "a file");

    assertThatThrownBy(() -> AtomicFiles.createDirectories(file, FileMode.OWNER_ONLY))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> AtomicFiles.createDirectories(file.resolve("x"), FileMode.SHARED))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());
  }

  private static Set<PosixFilePermission> perms(String text) {
    return PosixFilePermissions.fromString(text);
  }

  /** Returns what the JDK gives a file created with {@code requested} under this umask. */
  private Set<PosixFilePermission> createdWith(Set<PosixFilePermission> requested)
      throws IOException {
    Path probe = Files.createTempFile(dir, "probe-", ".tmp",
        PosixFilePermissions.asFileAttribute(requested));
    try {
      return Files.getPosixFilePermissions(probe);
    } finally {
      Files.delete(probe);
    }
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
