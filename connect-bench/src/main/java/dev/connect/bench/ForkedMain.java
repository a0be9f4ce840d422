package dev.connect.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main of this module in a JVM of its own, on this JVM's class path, so that a benchmark
 * measures our server or proxies as separate processes, as Consul's run. The main prints {@code
 * ready <port>} once it serves ({@link #serveUntilStdinCloses}) and stops when its standard input
 * closes ({@link #close}); its output goes to a log file quoted in every failure.
 */
final class ForkedMain implements AutoCloseable {
  private static final String READY = "ready ";

  private final Process process;
  private final int port;

  private ForkedMain(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Returns the forked JVM's process ID. */
  long pid() {
    return process.pid();
  }

  /**
   * Starts {@code main} with {@code jvmArgs} and {@code args} and waits, at most {@code timeout},
   * for its ready line; a main that exits or is not ready by then is stopped and reported.
   */
  static ForkedMain start(Path log, List<String> jvmArgs, Class<?> main, Duration timeout,
      String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      return new ForkedMain(process, awaitReady(process, log, main, timeout));
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static int awaitReady(Process process, Path log, Class<?> main, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log)) {
        if (line.startsWith(READY)) {
          return Integer.parseInt(line.substring(READY.length()).trim());
        }
      }
      if (!process.isAlive()) {
        throw new IOException("the forked " + main.getSimpleName() + " exited with "
            + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        Thread.sleep(50); // a benchmark's setup, not a test: wait for the forked JVM's line
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("the forked " + main.getSimpleName() + " was not ready within "
        + timeout + ":\n" + Files.readString(log));
  }

  /** The port the main printed as ready. */
  int port() {
    return port;
  }

  /** Closes the main's standard input and waits for it to stop; kills it after 20 s. */
  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** For the forked main: says it serves on {@code port}, then returns when stdin closes. */
  static void serveUntilStdinCloses(int port) throws IOException {
    System.out.println(READY + port);
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the benchmark closes our standard input
    }
  }
}
