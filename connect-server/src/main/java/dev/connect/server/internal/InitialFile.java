package dev.connect.server.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A store's file that every initialized data directory holds: written, empty, in the crash-safe
 * initialization that creates the CA, and refused when missing afterwards, because reading it as
 * empty would silently drop what it held (see {@link CaStore}).
 */
public interface InitialFile {
  /** Returns the file. */
  Path path();

  /** Tells whether the file was there when its store was loaded. */
  boolean existed();

  /** Says what would be lost if the file were read as empty, for the refusal. */
  String lostWithout();

  /**
   * Writes the file, empty, and empties the store's state to match; only while the directory is
   * being opened, before anyone uses the store.
   *
   * @throws IOException if the file cannot be written
   */
  void writeEmpty() throws IOException;
}
