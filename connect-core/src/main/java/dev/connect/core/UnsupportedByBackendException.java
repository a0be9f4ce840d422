package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * A failure saying that the backend an agent runs over does not offer an operation at all, as
 * opposed to refusing one request: for example intention administration over a backend that
 * implements only the read seam ({@link ConnectBackend}), not {@link IntentionAdmin}.
 *
 * <p>The message names the operation and the backend's class; {@link #operation()} and {@link
 * #backend()} return them. Retrying cannot help: the backend's types decide it.
 */
public final class UnsupportedByBackendException extends ConnectException {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String backend;

  /**
   * Creates the exception.
   *
   * @param operation the operation, such as {@code IntentionAdmin.intentionUpsert}
   * @param backend the backend's description, such as its class name
   * @param missing what the backend would need to offer it, such as {@code
   *     dev.connect.core.IntentionAdmin}
   */
  public UnsupportedByBackendException(String operation, String backend, String missing) {
    super(requireNonNull(operation, "operation") + " is not offered by the backend "
        + requireNonNull(backend, "backend") + ", which does not implement "
        + requireNonNull(missing, "missing"));
    this.operation = operation;
    this.backend = backend;
  }

  /** Returns the operation the backend does not offer. */
  public String operation() {
    return operation;
  }

  /** Returns the backend's description (its class name). */
  public String backend() {
    return backend;
  }
}
