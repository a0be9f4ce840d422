package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.server.AtomicFiles;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.FileMode;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /**
   * The lock files this JVM holds, by {@link #fileKey}, with the holder's description; also the
   * monitor every acquisition and release runs under.
   */
  private static final Map<Object, String> HELD = new HashMap<>();
  /** Channels that must never be closed (see {@link #acquire}). */
  private static final List<FileChannel> FOREIGN = new CopyOnWriteArrayList<>();

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;
  private final Object key;
  private boolean closed;

  private DirectoryLock(Path directory, FileChannel channel, FileLock lock, Object key) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
    this.key = key;
  }

  /**
   * Creates {@code directory} (owner-only) if missing and locks it, creating its {@code LOCK}
   * file {@code rw-------} if missing.
   *
   * <p>A JVM's file locks belong to the process, and on Linux closing <em>any</em> channel of a
   * file releases them all (see {@link FileLock}). So a directory this JVM already holds is
   * refused from an in-memory registry, without opening its {@code LOCK} file, and a refusal by
   * another process reads that process's description through the channel that tried to lock,
   * never through a second one.
   *
   * @throws DataDirectoryException if another server holds the directory
   * @throws IOException if the directory or its lock file cannot be created
   */
  public static DirectoryLock acquire(Path directory) throws IOException {
    requireNonNull(directory, "directory");
    synchronized (HELD) {
      AtomicFiles.createDirectories(directory, FileMode.OWNER_ONLY);
      Path lockFile = directory.resolve(LOCK_FILE);
      if (Files.exists(lockFile)) {
        refuseIfHeldHere(directory, fileKey(lockFile));
      }
      // Owner-only from its first instant, like every other file here: it names the holder's
      // pid and start time. A LOCK an earlier build created keeps its mode; it is never
      // replaced, since another process may hold the lock on that very file.
      FileChannel channel = FileChannel.open(lockFile,
          Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
          AtomicFiles.fileAttributes(directory, FileMode.OWNER_ONLY, lockFile));
      Object key;
      FileLock lock;
      try {
        key = fileKey(lockFile);
        refuseIfHeldHere(directory, key);
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Code outside this class holds a lock on the file in this JVM: closing this channel
        // would release that lock, so the channel stays open for the life of the JVM.
        FOREIGN.add(channel);
        throw new DataDirectoryException(directory, "its " + LOCK_FILE + " file is locked by"
            + " other code in this JVM (not a Connect server)", e);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close(); // this process holds no lock on the file: closing releases nothing
        throw new DataDirectoryException(directory, "in use by another Connect server ("
            + holder + ")");
      }
      String self = describeSelf();
      try {
        // Who holds it, for the error another process gets; the lock itself is what protects.
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(self.getBytes(StandardCharsets.UTF_8)), 0);
      } catch (IOException | RuntimeException e) {
        lock.release();
        channel.close();
        throw e;
      }
      HELD.put(key, self);
      return new DirectoryLock(directory, channel, lock, key);
    }
  }

  private static void refuseIfHeldHere(Path directory, Object key)
      throws DataDirectoryException {
    String self = HELD.get(key);
    if (self != null) {
      throw new DataDirectoryException(directory, "in use by another Connect server in this"
          + " process (held by " + self + "); close it first");
    }
  }

  /** The identity of the lock file (device and inode), whatever path leads to it. */
  private static Object fileKey(Path lockFile) throws IOException {
    Object key = Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
    return key != null ? key : lockFile.toRealPath();
  }

  /**
   * Describes this process as the holder: process ID and time of locking (no host name: looking
   * it up can wait on DNS).
   */
  static String describeSelf() {
    return "pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
  }

  /**
   * Reads who holds the lock, as its holder wrote it, through {@code channel}; bounded, and
   * never fails.
   */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buf = ByteBuffer.allocate(256);
      channel.read(buf, 0);
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
  public void close() {
    synchronized (HELD) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot release the lock on " + directory, e);
      } finally {
        HELD.remove(key);
      }
    }
  }
}
