package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.ConnectException;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one writer of a data directory's state: it hands out indexes that never repeat, even across
 * a crash, and serialises every write of every store (CA, intentions, ACL) so that each change
 * takes exactly the next index.
 *
 * <p><b>Never-repeating indexes.</b> Every index handed out is below the <em>floor</em> persisted
 * in {@code index.json}, which is raised in blocks of {@link #RESERVATION}: before a write takes
 * index {@code n}, the floor is raised above {@code n} if it is not already, so a change costs no
 * extra disk write in all but one of {@value #RESERVATION} cases. On open the server resumes at the
 * old floor, above everything the previous run handed out, whether or not it recorded it.
 *
 * <p><b>Opening.</b> {@link #load} reads the floor; each store then {@link #observe}s the indexes
 * its files hold (a lower bound only: no file records the index of a leaf, so the floor is the
 * one record of how far leaf signatures went, and {@link CaStore#open} refuses an initialized
 * directory whose {@code index.json} is missing rather than resume below it); {@link #resume()}
 * fixes the restored index and reserves the next block; {@link #attach} connects the
 * blocking-query index, which must start at {@link #restoredIndex()}.
 *
 * <p><b>Writing.</b> A store changes its state only inside {@link #write}: it asks the {@link
 * Write} for the {@linkplain Write#index() index} its change takes, writes its file, publishes
 * its new in-memory snapshot, then {@linkplain Write#commit commits}, which bumps its tables and
 * wakes the blocking queries on them. A change that fails before the commit changes nothing but,
 * possibly, the floor.
 */
public final class IndexFloor implements AutoCloseable {
  /** How many indexes one write of the floor reserves. */
  public static final long RESERVATION = 1024;
  /** The file that holds the floor. */
  public static final String FILE = "index.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * What {@code index.json} holds.
   *
   * @param floor every index handed out so far is below this
   */
  public record Persisted(long floor) {}

  /**
   * A change to one store's state, run under the write lock.
   *
   * @param <T> what the change returns
   */
  @FunctionalInterface
  public interface Change<T> {
    /**
     * Makes the change.
     *
     * @param write the index this change takes, and the commit
     * @return the result for the caller
     */
    T apply(Write write);
  }

  private final Path file;
  private final boolean existed;
  private final Object lock = new Object();
  private long lowerBound;
  private long restored;
  private volatile long floor;
  private IndexedState index;
  private boolean closed;

  private IndexFloor(Path file, boolean existed, long lowerBound) {
    this.file = file;
    this.existed = existed;
    this.lowerBound = lowerBound;
  }

  /**
   * Reads the floor of {@code directory}; 1 when it has none yet. Whether a missing {@code
   * index.json} is acceptable (a new directory) is decided by {@link CaStore#open}.
   *
   * @throws DataDirectoryException if {@code index.json} is corrupt
   * @throws IOException if it cannot be read
   */
  public static IndexFloor load(Path directory) throws IOException {
    Path file = requireNonNull(directory, "directory").resolve(FILE);
    Optional<Persisted> stored;
    try {
      stored = ChecksummedFile.readIfExists(file, Persisted.class, MAPPER);
    } catch (CorruptStateException e) {
      throw new DataDirectoryException(file, "corrupt index file (" + e.problem() + "); restore"
          + " the data directory from a backup. Deleting the file does not help: no other file"
          + " records how far leaf signatures took the index, so a directory without it is"
          + " refused too", e);
    }
    return new IndexFloor(file, stored.isPresent(),
        Math.max(1, stored.map(Persisted::floor).orElse(1L)));
  }

  /** Returns {@code index.json}. */
  public Path file() {
    return file;
  }

  /** Tells whether {@code index.json} was there when {@link #load} read it. */
  public boolean existed() {
    return existed;
  }

  /**
   * Records that a state file holds {@code usedIndex}, so the server resumes at or above it.
   *
   * @throws IllegalStateException after {@link #resume()}
   */
  public void observe(long usedIndex) {
    synchronized (lock) {
      if (restored != 0) {
        throw new IllegalStateException("observe after resume: " + usedIndex);
      }
      lowerBound = Math.max(lowerBound, usedIndex);
    }
  }

  /**
   * Fixes the restored index, above every index handed out before, and persists a floor {@link
   * #RESERVATION} above it. Idempotent.
   *
   * @return the restored index, at least 1
   * @throws IOException if the floor cannot be written
   */
  public long resume() throws IOException {
    synchronized (lock) {
      if (restored == 0) {
        long next = lowerBound + RESERVATION;
        persist(next);
        floor = next;
        restored = lowerBound;
      }
      return restored;
    }
  }

  /** Returns the index {@link #resume()} fixed; the blocking-query index starts there. */
  public long restoredIndex() {
    synchronized (lock) {
      if (restored == 0) {
        throw new IllegalStateException("not resumed yet");
      }
      return restored;
    }
  }

  /** Returns the persisted floor: every index handed out so far is below it. */
  public long current() {
    return floor;
  }

  /** Connects the blocking-query index, which must start at {@link #restoredIndex()}. */
  public void attach(IndexedState index) {
    requireNonNull(index, "index");
    synchronized (lock) {
      if (index.currentIndex() != restoredIndex()) {
        throw new IllegalArgumentException("the index starts at " + index.currentIndex()
            + ", not at the restored index " + restored);
      }
      this.index = index;
    }
  }

  /**
   * Runs {@code change} under the write lock that serialises every store's writes.
   *
   * @return what {@code change} returns
   * @throws IllegalStateException if the server is closed; nothing is written then
   */
  public <T> T write(Change<T> change) {
    requireNonNull(change, "change");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the server on " + file.getParent() + " is closed");
      }
      if (index == null) {
        throw new IllegalStateException("no index attached");
      }
      Write write = new Write();
      try {
        return change.apply(write);
      } catch (RuntimeException e) {
        if (write.at != 0 && !write.committed && causedBy(e, DirectorySyncException.class)) {
          // The change is on disk under an index the blocking-query index never reached: the
          // next write would take the same index for another change. Stop writing instead;
          // a reopen resumes above the persisted floor.
          closed = true;
          throw new ConnectException("a change to " + file.getParent() + " reached the disk"
              + " but its directory could not be synced; this server takes no more writes so"
              + " that no index repeats. Reopen it: " + e.getMessage(), e);
        }
        throw e;
      }
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether {@link #close()} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** Refuses every later write; waits for the one in progress. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  private void reserve(long next) {
    if (next < floor) {
      return;
    }
    long raised = next + RESERVATION;
    try {
      persist(raised);
    } catch (IOException e) {
      throw new ConnectException("cannot reserve indexes in " + file + "; nothing changed: "
          + e.getMessage(), e);
    }
    floor = raised;
  }

  private void persist(long value) throws IOException {
    ChecksummedFile.write(file, new Persisted(value), MAPPER, FileMode.OWNER_ONLY);
  }

  /**
   * One write in progress: the index its change takes and its commit. Valid only inside the
   * {@link Change} it was given to.
   */
  public final class Write {
    private long at;
    private boolean committed;

    private Write() {}

    /**
     * Returns the index this change takes, the global index plus one, first raising the persisted
     * floor above it if needed.
     *
     * @throws ConnectException if the floor cannot be written
     */
    public long index() {
      if (at == 0) {
        long next = IndexFloor.this.index.currentIndex() + 1;
        reserve(next);
        at = next;
      }
      return at;
    }

    /**
     * Makes the change visible to blocking queries: bumps {@code tables} to {@link #index()}.
     * Call it once, after the state is on disk and the new snapshot is published.
     *
     * @return the index
     */
    public long commit(String... tables) {
      long expected = index();
      if (committed) {
        throw new IllegalStateException("already committed at " + expected);
      }
      committed = true;
      long bumped = IndexFloor.this.index.bump(tables);
      if (bumped != expected) {
        throw new AssertionError("index moved outside the write lock: " + bumped + " != "
            + expected);
      }
      return bumped;
    }
  }
}
