package dev.connect.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM forked with this test's class path, talked to by lines: stdout is read into a queue by
 * a daemon thread, stderr goes to a log file quoted in failures. Every wait is bounded; {@link
 * #close()} closes stdin (the mains here exit on it), then kills what is left.
 */
final class JavaProcess implements AutoCloseable {
  private static final String END = "\u0000end of stdout";

  private final String name;
  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final OutputStream stdin;

  private JavaProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = process.getOutputStream();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process went away
      } finally {
        lines.add(END);
      }
    }, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -cp <this class path> main args...} with {@code env} added. */
  static JavaProcess start(String name, Path logDir, Map<String, String> env, String main,
      String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        main));
    command.addAll(List.of(args));
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder b = new ProcessBuilder(command).redirectError(log.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("CONSUL_"));
    b.environment().putAll(env);
    return new JavaProcess(name, b.start(), log);
  }

  /** Waits for the first line that {@code wanted} accepts, skipping others. */
  String await(Predicate<String> wanted, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(name + " printed no awaited line within " + bound + tail());
      }
      if (line.equals(END)) {
        lines.add(END);
        throw new AssertionError(name + " ended its output" + tail());
      }
      if (wanted.test(line)) {
        return line;
      }
    }
  }

  /** Sends a command line and returns the next line printed. */
  String ask(String command, Duration bound) throws IOException, InterruptedException {
    stdin.write((command + "\n").getBytes(UTF_8));
    stdin.flush();
    return await(l -> true, bound);
  }

  private String tail() {
    try {
      List<String> all = Files.readAllLines(log, UTF_8);
      return "; " + log + " ends:\n  "
          + String.join("\n  ", all.subList(Math.max(0, all.size() - 30), all.size()));
    } catch (IOException e) {
      return "; " + log + " unreadable: " + e;
    }
  }

  /** Closes stdin, waits up to 20 s for the exit, then kills the process and waits for it. */
  @Override
  public void close() throws InterruptedException {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // already gone
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** Sends SIGTERM and waits up to 60 s, then kills; for processes that do not read stdin. */
  void terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + "[pid " + process.pid() + "]";
  }
}
