package dev.connect.server;

import java.nio.file.Path;

/**
 * A process that tries to open a data directory, for tests that need a second process: prints
 * {@code OPENED} if it got the directory (and closes it at once), or {@code REFUSED <message>}
 * if it was refused.
 */
public final class LockProbe {
  private LockProbe() {}

  /**
   * Tries to open the directory.
   *
   * @param args the data directory
   * @throws Exception on any failure other than a refusal
   */
  public static void main(String[] args) throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(Path.of(args[0]))
        .open()) {
      System.out.println("OPENED");
    } catch (DataDirectoryException e) {
      System.out.println("REFUSED " + e.getMessage());
    }
    System.out.flush();
  }
}
