package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when a state file exists but cannot be trusted: empty, truncated, unparseable, of an
 * unknown format or version, or failing its checksum.
 *
 * <p>It is distinct from a missing file on purpose: a missing file may mean "first start", a
 * corrupt one must never be mistaken for that and silently replaced by fresh state (a new CA root
 * would break every issued leaf). The message names the file and the problem, never the content,
 * which may be secret.
 */
public final class CorruptStateException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  /** Creates an exception for {@code file} that says what is wrong with it. */
  public CorruptStateException(Path file, String problem) {
    super("corrupt state file " + requireNonNull(file, "file") + ": "
        + requireNonNull(problem, "problem"));
    this.file = file;
    this.problem = problem;
  }

  /** Returns the file that failed verification. */
  public Path file() {
    return file;
  }

  /** Returns what is wrong with the file, without its path. */
  public String problem() {
    return problem;
  }
}
