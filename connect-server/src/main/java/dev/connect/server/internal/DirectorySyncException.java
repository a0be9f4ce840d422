package dev.connect.server.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown when a file was renamed into place but its directory could not be synced: the new
 * content is what readers see now, yet it may or may not survive a crash. Unlike other write
 * failures this one has changed something, so a store must not act as if nothing happened.
 */
public final class DirectorySyncException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param target the file whose new content is in place
   * @param cause the failure of the directory sync
   */
  public DirectorySyncException(Path target, IOException cause) {
    super("wrote " + target + " but cannot fsync its directory, so the new content may not"
        + " survive a crash: " + cause, cause);
  }
}
