package dev.connect.server;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when a data directory cannot be used as it is: a state file is corrupt or half-written,
 * keys are present without the state that names them, or another server holds the directory.
 *
 * <p>The server never repairs such a directory by creating a new CA over it, since every leaf in
 * the field would stop verifying; the message says what is wrong and where.
 */
public final class DataDirectoryException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /**
   * Creates an exception about one file or directory.
   *
   * @param path the offending file or directory
   * @param message what is wrong with it
   */
  public DataDirectoryException(Path path, String message) {
    super(path + ": " + message);
    this.path = path;
  }

  /**
   * Creates an exception about one file or directory, with its cause.
   *
   * @param path the offending file or directory
   * @param message what is wrong with it
   * @param cause the underlying failure
   */
  public DataDirectoryException(Path path, String message, Throwable cause) {
    super(path + ": " + message, cause);
    this.path = path;
  }

  /** Returns the offending file or directory. */
  public Path path() {
    return path;
  }
}
