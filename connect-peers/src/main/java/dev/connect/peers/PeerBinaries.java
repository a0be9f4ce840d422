package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the Consul and Vault binaries a test runs, by the rules of the developers' guide
 * ({@code docs/testing.md}).
 *
 * <ol>
 *   <li>{@code CONSUL_BIN} (or {@code VAULT_BIN}), when set, names the binary. It must be an
 *       executable file: a wrong value fails the test, whatever {@code CI} says; it never falls
 *       back to the next rule.
 *   <li>Otherwise {@code ../shared/peers/peer --path consul} (or {@code vault}), relative to the
 *       repository's root, unpacks the binary once into {@code ~/.cache/connect-peers} and prints
 *       its path. The root is the system property {@value #ROOT_PROPERTY} when set (the module's
 *       POM sets it for Surefire), else the nearest directory above the working directory whose
 *       {@code pom.xml} is {@code connect-parent}.
 *   <li>When neither gives a binary, the test is skipped ({@link Assumptions#abort(String)}) with
 *       a message saying how to get one; but when the environment variable {@code CI} is {@code
 *       true} (CI sets it) it fails with {@link IllegalStateException}, so that nothing passes in
 *       CI by skipping.
 * </ol>
 *
 * <p>A binary found is remembered for the life of the JVM. Thread-safe.
 */
public final class PeerBinaries {
  /** The system property naming the repository's root directory. */
  public static final String ROOT_PROPERTY = "connect.repository.root";

  /** How long the peer script may take; the first call unpacks about 40 MB of xz. */
  static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(5);

  /** The two peers. */
  enum Peer {
    CONSUL("consul", "Consul", "CONSUL_BIN"),
    VAULT("vault", "Vault", "VAULT_BIN");

    final String command;
    final String title;
    final String variable;

    Peer(String command, String title, String variable) {
      this.command = command;
      this.title = title;
      this.variable = variable;
    }
  }

  static final File DEV_NULL = new File("/dev/null");

  private static final Map<Peer, Path> FOUND = new ConcurrentHashMap<>();

  private PeerBinaries() {}

  /**
   * Returns the Consul binary (1.10.4 from {@code ../shared/peers/}, or {@code CONSUL_BIN}).
   *
   * @throws org.opentest4j.TestAbortedException when there is none and {@code CI} is not {@code
   *     true}: the calling test is skipped
   * @throws IllegalStateException when there is none and {@code CI=true}
   * @throws IllegalArgumentException when {@code CONSUL_BIN} is set but names no executable file
   */
  public static Path consul() {
    return find(Peer.CONSUL);
  }

  /**
   * Returns the Vault binary (1.7.10 from {@code ../shared/peers/}, or {@code VAULT_BIN}).
   *
   * @throws org.opentest4j.TestAbortedException when there is none and {@code CI} is not {@code
   *     true}: the calling test is skipped
   * @throws IllegalStateException when there is none and {@code CI=true}
   * @throws IllegalArgumentException when {@code VAULT_BIN} is set but names no executable file
   */
  public static Path vault() {
    return find(Peer.VAULT);
  }

  /**
   * Returns whether this run is in CI: the environment variable {@code CI} is {@code true}
   * (ignoring case), as CI services set it.
   */
  public static boolean inCi() {
    return inCi(System.getenv());
  }

  private static Path find(Peer peer) {
    Path cached = FOUND.get(peer);
    if (cached != null) {
      return cached;
    }
    Path found = find(peer, System.getenv(), repositoryRoot(), UNPACK_TIMEOUT);
    FOUND.put(peer, found);
    return found;
  }

  static boolean inCi(Map<String, String> env) {
    return "true".equalsIgnoreCase(env.getOrDefault("CI", "").trim());
  }

  /** The rules above, on a given environment and repository root, for tests of the rules. */
  static Path find(Peer peer, Map<String, String> env, Optional<Path> root, Duration timeout) {
    requireNonNull(peer, "peer");
    requireNonNull(env, "env");
    requireNonNull(root, "root");
    String named = env.get(peer.variable);
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named);
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalArgumentException(
            peer.variable + " is set but names no executable file: " + named);
      }
      return path;
    }
    String why;
    if (root.isEmpty()) {
      why = "no repository root was found (system property " + ROOT_PROPERTY
          + " unset, and root pom.xml of connect-parent above " + System.getProperty("user.dir") + ")";
    } else {
      Path script = root.get().resolve("../shared/peers/peer").normalize();
      if (!Files.isExecutable(script)) {
        why = script + " does not exist";
      } else {
        Result result = runScript(script, peer, timeout);
        if (result.path.isPresent()) {
          return result.path.get();
        }
        why = result.problem;
      }
    }
    String message = "No " + peer.title + " binary for this test: " + why + ". To get one, set "
        + peer.variable + " to a " + peer.title + " binary, or run from a checkout with ../shared/peers/"
        + " beside its root (the peer script there needs xz: apt-get install xz-utils).";
    if (inCi(env)) {
      throw new IllegalStateException(message + " CI=true: a missing peer fails the run.");
    }
    Assumptions.abort(message + " Skipped because CI is not true.");
    throw new AssertionError("Assumptions.abort returned");
  }

  private record Result(Optional<Path> path, String problem) {}

  private static Result runScript(Path script, Peer peer, Duration timeout) {
    List<String> command = List.of(script.toString(), "--path", peer.command);
    Path out = null;
    Process process = null;
    try {
      out = Files.createTempFile("connect-peers-path-", ".log");
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Result(Optional.empty(), String.join(" ", command) + " took more than " + timeout);
      }
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      String text = String.join("\n", lines).trim();
      if (process.exitValue() != 0 || lines.isEmpty()) {
        return new Result(Optional.empty(), String.join(" ", command) + " exited with "
            + process.exitValue() + ": " + text);
      }
      Path path = Path.of(lines.get(lines.size() - 1).trim());
      if (!Files.isExecutable(path)) {
        return new Result(Optional.empty(),
            String.join(" ", command) + " printed no executable file: " + text);
      }
      return new Result(Optional.of(path), "");
    } catch (IOException e) {
      return new Result(Optional.empty(), String.join(" ", command) + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (process != null) {
        process.destroyForcibly();
      }
      throw new IllegalStateException("interrupted while running " + script, e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The repository's root: {@value #ROOT_PROPERTY}, else found above the working directory. */
  static Optional<Path> repositoryRoot() {
    String property = System.getProperty(ROOT_PROPERTY);
    if (property != null) {
      Path root = Path.of(property).toAbsolutePath().normalize();
      if (!isRoot(root)) {
        throw new IllegalStateException(
            ROOT_PROPERTY + " is not the repository root (no connect-parent pom.xml): " + root);
      }
      return Optional.of(root);
    }
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        dir != null; dir = dir.getParent()) {
      if (isRoot(dir)) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  private static boolean isRoot(Path dir) {
    Path pom = dir.resolve("pom.xml");
    if (!Files.isRegularFile(pom)) {
      return false;
    }
    try {
      // A module's POM names connect-parent too, as its parent; only the root lists <modules>.
      String text = Files.readString(pom, StandardCharsets.UTF_8);
      return text.contains("<artifactId>connect-parent</artifactId>") && text.contains("<modules>");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pom, e);
    }
  }
}
