package dev.connect.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The processes of one peer (an agent, a cluster, a Vault server) and the directory holding
 * their logs: started with a retry on fresh ports when a picked port was taken, stopped together
 * by PID and deleted once. The one copy of the start, retry and stop logic of {@link
 * ConsulAgent}, {@link ConsulCluster} and {@link VaultDev}. Thread-safe.
 */
final class PeerGroup {
  /** How long a stop waits after SIGTERM before SIGKILL. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** Starts tried when another process takes one of the picked ports first. */
  static final int START_ATTEMPTS = 3;

  private final Path directory;
  private final int attempt;
  private final long began;
  private final List<PeerProcess> processes = new ArrayList<>();
  private boolean closed;

  private PeerGroup(Path directory, int attempt, long began) {
    this.directory = directory;
    this.attempt = attempt;
    this.began = began;
  }

  /**
   * Runs {@code attempt} on a new group in a new temporary directory until it returns; when it
   * fails because a process exited on a port someone else took, stops that group, deletes its
   * directory and tries again, up to {@link #START_ATTEMPTS} times. On any other failure (or
   * the last) the group is stopped and its directory kept, for the logs the message names.
   */
  static <T> T startRetrying(String directoryPrefix, Function<PeerGroup, T> attempt) {
    long began = System.nanoTime();
    for (int n = 1; ; n++) {
      PeerGroup group = new PeerGroup(PeerProcess.tempDirectory(directoryPrefix), n, began);
      try {
        return attempt.apply(group);
      } catch (RuntimeException e) {
        boolean retry = e instanceof PeerProcess.Exited exited && exited.bindFailure()
            && n < START_ATTEMPTS;
        group.stop(retry);
        if (!retry) {
          throw e;
        }
      }
    }
  }

  /** Starts one process of the group in its directory, its output in {@code logName} there. */
  PeerProcess start(String name, List<String> command, String logName) {
    PeerProcess process = PeerProcess.start(name, command, directory, directory.resolve(logName));
    synchronized (this) {
      processes.add(process);
    }
    return process;
  }

  /** The directory holding the logs, HOME and TMPDIR of the group's processes. */
  Path directory() {
    return directory;
  }

  /** Which start this group is (more than one when a picked port was taken meanwhile). */
  int attempt() {
    return attempt;
  }

  /** The time since the first start began, retries included. */
  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - began);
  }

  /**
   * Stops every process by its PID (SIGTERM, then SIGKILL after {@link #STOP_GRACE}), waits
   * until all are gone, and deletes the directory. Idempotent.
   *
   * @throws IllegalStateException if a process survives SIGKILL (the others are stopped still)
   */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop(true);
  }

  private synchronized void stop(boolean delete) {
    RuntimeException failure = null;
    try {
      for (PeerProcess p : processes) {
        try {
          p.stop(STOP_GRACE);
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    } finally {
      if (delete) {
        PeerProcess.deleteRecursively(directory);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
