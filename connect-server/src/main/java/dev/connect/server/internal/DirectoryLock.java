package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.server.DataDirectoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive use of a data directory: an OS file lock on its {@code LOCK} file, held from open to
 * close, so that two servers (in one JVM or two) never write the same state.
 *
 * <p>Everything that writes into the directory runs while this lock is held; that is what makes
 * {@link #removeStaleTemporaryFiles} safe: a temporary file found then was left by a process that
 * died mid-write, not one that is still writing.
 */
public final class DirectoryLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectoryLock.class);
  private static final String LOCK_FILE = "LOCK";

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean closed;

  private DirectoryLock(Path directory, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code directory} (owner-only) if missing and locks it, creating its {@code LOCK}
   * file {@code rw-------} if missing.
   *
   * @throws DataDirectoryException if another server holds the directory
   * @throws IOException if the directory or its lock file cannot be created
   */
  public static DirectoryLock acquire(Path directory) throws IOException {
    requireNonNull(directory, "directory");
    AtomicFiles.createDirectories(directory, FileMode.OWNER_ONLY);
    Path lockFile = directory.resolve(LOCK_FILE);
    // Owner-only from its first instant, like every other file here: it names the holder's pid
    // and start time. A LOCK an earlier build created keeps its mode; it is never replaced,
    // since another process may hold the lock on that very file.
    FileChannel channel = FileChannel.open(lockFile,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        AtomicFiles.fileAttributes(directory, FileMode.OWNER_ONLY, lockFile));
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new DataDirectoryException(directory, "in use by another Connect server ("
          + holder(lockFile) + ")");
    }
    try {
      // Who holds it, for the error another process gets; the lock itself is what protects.
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(describeSelf().getBytes(StandardCharsets.UTF_8)), 0);
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
    return new DirectoryLock(directory, channel, lock);
  }

  /**
   * Describes this process as the holder: process ID and time of locking (no host name: looking
   * it up can wait on DNS).
   */
  static String describeSelf() {
    return "pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
  }

  /** Reads who holds the lock, as its holder wrote it; bounded, and never fails. */
  static String holder(Path lockFile) {
    try (FileChannel in = FileChannel.open(lockFile, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(256);
      in.read(buf, 0);
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
      return text.isEmpty() || !text.startsWith("pid ") ? "holder unknown"
          : "held by " + text.replaceAll("[^\\p{Print}]", "?");
    } catch (IOException | RuntimeException e) {
      return "holder unknown: " + e;
    }
  }

  /** Returns the locked directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Removes the temporary files an interrupted {@link AtomicFiles#write} left in {@code dir}, a
   * directory inside the locked one; does nothing if {@code dir} does not exist.
   *
   * @throws IOException if a file cannot be removed
   */
  public void removeStaleTemporaryFiles(Path dir) throws IOException {
    requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp")) {
      for (Path file : files) {
        Files.delete(file);
        log.info("removed {}, left by an interrupted write", file);
      }
    }
  }

  /** Releases the lock. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock on " + directory, e);
    }
  }
}
