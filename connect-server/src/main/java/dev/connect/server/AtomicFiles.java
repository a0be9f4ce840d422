package dev.connect.server;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.util.Objects.requireNonNull;

import dev.connect.server.internal.DirectorySyncException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe writes: a file of the data directory appears whole, with its final permissions, or
 * not at all.
 *
 * <p>{@link #write} follows the sequence a crash cannot tear: create a temporary file next to the
 * target (same directory, hence same file system, so the rename is atomic) with its permissions
 * already set, write and {@code fsync} it, rename it over the target, then {@code fsync} the
 * directory so the rename itself survives a power loss. A reader sees the old content or the new
 * one, never a prefix. What this does not give is ordering between two files: write the one a
 * watcher pairs with another first (the chain before the key). A symbolic link at the target is
 * replaced by the new file, not followed.
 *
 * <p>On a file system without POSIX permissions {@link FileMode#OWNER_ONLY} fails rather than
 * create a file others may read; {@link FileMode#SHARED} uses the file system's defaults.
 */
public final class AtomicFiles {
  private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code content}, creating it if missing.
   *
   * @throws IOException if anything fails; its message names {@code target}, the temporary file
   *     is gone and the target holds its previous content (or is still missing), except when only
   *     the final directory {@code fsync} failed: then the new content is in place but may not
   *     survive a crash, and the message says so
   * @throws IllegalArgumentException if {@code target} has no parent directory
   */
  public static void write(Path target, byte[] content, FileMode mode) throws IOException {
    requireNonNull(target, "target");
    requireNonNull(content, "content");
    requireNonNull(mode, "mode");
    Path file = target.toAbsolutePath();
    Path dir = file.getParent();
    if (dir == null || file.getFileName() == null) {
      throw new IllegalArgumentException("target has no parent directory: " + target);
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp",
          fileAttributes(dir, mode, target));
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(tmp, file, ATOMIC_MOVE, REPLACE_EXISTING);
      tmp = null;
    } catch (IOException e) {
      IOException failure = new IOException("cannot write " + target + ": " + e, e);
      deleteTemporary(tmp, failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      deleteTemporary(tmp, e);
      throw e;
    }
    try {
      fsyncDirectory(dir);
    } catch (IOException e) {
      throw new DirectorySyncException(target, e);
    }
  }

  /**
   * Creates {@code dir} and any missing parents, each with {@code mode}'s directory permissions,
   * and makes each creation durable by {@code fsync}ing the parent.
   *
   * <p>Directories that already exist are left as they are: their permissions are not checked or
   * changed.
   *
   * @throws FileAlreadyExistsException if {@code dir} or one of its parents exists and is not a
   *     directory
   * @throws IOException if a directory cannot be created; the message names it
   */
  public static void createDirectories(Path dir, FileMode mode) throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(mode, "mode");
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      missing.push(p);
    }
    for (Path p : missing) {
      Path parent = p.getParent();
      try {
        Files.createDirectory(p, directoryAttributes(parent, mode, p));
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e;
        }
        continue; // created concurrently by someone else; that creator made it durable
      }
      fsyncDirectory(parent);
    }
    if (!Files.isDirectory(dir)) {
      throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
    }
  }

  /**
   * Returns the attributes that create {@code target}, a file in {@code dir}, with {@code mode}
   * from its first instant; none where the file system has no POSIX permissions and {@code mode}
   * allows that.
   *
   * @throws IOException if {@code mode} is owner-only and the file system cannot say so
   */
  public static FileAttribute<?>[] fileAttributes(Path dir, FileMode mode, Path target)
      throws IOException {
    return posix(dir, mode, target) ? new FileAttribute<?>[] {mode.fileAttribute()}
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] directoryAttributes(Path parent, FileMode mode, Path dir)
      throws IOException {
    return posix(parent, mode, dir) ? new FileAttribute<?>[] {mode.directoryAttribute()}
        : new FileAttribute<?>[0];
  }

  private static boolean posix(Path dir, FileMode mode, Path target) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return true;
    }
    if (mode == FileMode.OWNER_ONLY) {
      throw new IOException("cannot create " + target
          + " readable by its owner only: the file system has no POSIX permissions");
    }
    return false;
  }

  /**
   * Makes the creations, renames and deletions already done inside {@code dir} durable, as
   * {@link #write} does after its rename; call it after deleting a file, for instance.
   *
   * <p>Windows cannot open a directory as a file and refuses with an access-denied error; NTFS
   * journals the rename, so there, and only for that error, there is nothing more to do, as
   * Lucene's {@code IOUtils.fsync} concludes. Everywhere else every failure propagates.
   *
   * @throws IOException if {@code dir} cannot be opened or synced
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (AccessDeniedException e) {
      if (!WINDOWS) {
        throw e;
      }
      log.debug("not syncing directory {}: Windows cannot open a directory", dir);
    }
  }

  private static void deleteTemporary(Path tmp, Throwable failure) {
    if (tmp == null) {
      return;
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
