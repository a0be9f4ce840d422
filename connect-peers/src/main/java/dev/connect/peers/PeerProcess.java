package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One peer process: started with its output in a log file, waited for within a bound, stopped by
 * its PID (SIGTERM, then SIGKILL after a bound). A JVM shutdown hook kills any left running and
 * deletes its directory.
 */
final class PeerProcess {
  /** How long a process may take to exit after SIGKILL before we report it as stuck. */
  static final Duration KILL_WAIT = Duration.ofSeconds(10);

  /** Lines of the log a failure message quotes. */
  static final int TAIL_LINES = 40;

  private static final Set<PeerProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Thread hook = new Thread(() -> {
      for (PeerProcess p : RUNNING) {
        p.process.descendants().forEach(ProcessHandle::destroyForcibly);
        p.process.destroyForcibly();
      }
      for (PeerProcess p : RUNNING) {
        try {
          // Reap it while we are its parent, so no zombie outlives the JVM.
          p.process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      for (PeerProcess p : RUNNING) {
        try {
          deleteRecursively(p.directory);
        } catch (UncheckedIOException e) {
          // The JVM is exiting: nobody is left to tell; the directory stays in the temp dir.
        }
      }
    }, "connect-peers-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final Path directory;

  private PeerProcess(String name, Process process, Path log, Path directory) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.directory = directory;
  }

  /**
   * Starts {@code command} in {@code dir} with HOME and TMPDIR set to {@code dir}, the caller's
   * CONSUL_* and VAULT_* variables removed, stdin from /dev/null and stdout and stderr appended
   * to {@code log}.
   */
  static PeerProcess start(String name, List<String> command, Path dir, Path log) {
    requireNonNull(name, "name");
    requireNonNull(command, "command");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(PeerBinaries.DEV_NULL));
    Map<String, String> env = builder.environment();
    // The developer's own CONSUL_HTTP_TOKEN or VAULT_ADDR must not steer the peer.
    env.keySet().removeIf(k -> k.startsWith("CONSUL_") || k.startsWith("VAULT_"));
    env.put("HOME", dir.toString());
    env.put("TMPDIR", dir.toString());
    try {
      PeerProcess started = new PeerProcess(name, builder.start(), log, dir);
      RUNNING.add(started);
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** The last {@code lines} lines of the log, or a note that it cannot be read. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Whether the process has exited after failing to bind a port someone else took. */
  boolean exitedOnBindFailure() {
    if (process.isAlive()) {
      return false;
    }
    try {
      return Files.readString(log, StandardCharsets.UTF_8).contains("address already in use");
    } catch (IOException e) {
      return false;
    }
  }

  /** Describes the process and quotes its log's tail, for a failure message. */
  String describe() {
    String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
    return name + " (pid " + pid() + ", " + state + "), log " + log + ", last lines:\n"
        + logTail(TAIL_LINES);
  }

  /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL; returns once the process is gone. */
  void stop(Duration grace) {
    if (process.isAlive()) {
      process.destroy();
      awaitExit(grace);
    }
    kill();
  }

  /** Sends SIGKILL to the process (and anything it started) and waits until it is gone. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    if (!awaitExit(KILL_WAIT)) {
      throw new IllegalStateException(name + " (pid " + pid() + ") still runs " + KILL_WAIT
          + " after SIGKILL");
    }
    RUNNING.remove(this);
  }

  private boolean awaitExit(Duration bound) {
    try {
      return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while stopping " + name, e);
    }
  }

  /**
   * Asks {@code probe} until it answers, pausing between tries (20 ms growing to 250 ms) on the
   * processes' exit, so that a process that dies is noticed at once rather than at the deadline.
   *
   * @throws Exited if one of {@code watched} exits first
   * @throws IllegalStateException if {@code timeout} passes first, quoting the logs
   */
  static <T> T await(String what, Duration timeout, List<PeerProcess> watched,
      Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 20;
    while (true) {
      for (PeerProcess p : watched) {
        if (!p.isAlive()) {
          throw new Exited(p, "while waiting for " + what);
        }
      }
      Optional<T> answer = probe.get();
      if (answer.isPresent()) {
        return answer.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        StringBuilder logs = new StringBuilder();
        for (PeerProcess p : watched) {
          logs.append("\n").append(p.describe());
        }
        throw new IllegalStateException("no " + what + " within " + timeout + logs);
      }
      long pause = Math.min(pauseMillis, TimeUnit.NANOSECONDS.toMillis(left) + 1);
      try {
        watched.get(0).process.onExit().get(pause, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // the usual case: the process still runs; ask again
      } catch (ExecutionException e) {
        throw new IllegalStateException("waiting for " + what, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
      pauseMillis = Math.min(250, pauseMillis * 2);
    }
  }

  /** A process exited while we waited for it to become ready. */
  static final class Exited extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient PeerProcess process;

    Exited(PeerProcess process, String when) {
      super(process.name + " exited " + when + ": " + process.describe());
      this.process = process;
    }

    boolean bindFailure() {
      return process.exitedOnBindFailure();
    }
  }

  /** Makes a private temporary directory for one peer. */
  static Path tempDirectory(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
  }

  /** Deletes {@code dir} and everything below it; a missing directory is fine. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    List<IOException> problems = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          if (!(e instanceof NoSuchFileException)) {
            problems.add(e);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      problems.add(e);
    }
    if (!problems.isEmpty()) {
      UncheckedIOException failure =
          new UncheckedIOException("cannot delete " + dir, problems.get(0));
      problems.subList(1, problems.size()).forEach(failure::addSuppressed);
      throw failure;
    }
  }
}
