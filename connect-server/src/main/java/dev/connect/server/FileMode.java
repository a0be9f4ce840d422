package dev.connect.server;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Who may read a file or directory of the data directory, fixed when it is created.
 *
 * <p>Permissions are given at creation through a {@link FileAttribute}, so a secret is never
 * readable by others, not even for the instant between creating and {@code chmod}ing a file. The
 * process umask may narrow them further, never widen them.
 */
public enum FileMode {
  /** Readable by the owner only: {@code rw-------} files, {@code rwx------} directories. */
  OWNER_ONLY("rw-------", "rwx------"),
  /** Readable by everyone, writable by the owner: {@code rw-r--r--} and {@code rwxr-xr-x}. */
  SHARED("rw-r--r--", "rwxr-xr-x");

  private final Set<PosixFilePermission> filePermissions;
  private final Set<PosixFilePermission> directoryPermissions;

  FileMode(String file, String directory) {
    this.filePermissions = Set.copyOf(PosixFilePermissions.fromString(file));
    this.directoryPermissions = Set.copyOf(PosixFilePermissions.fromString(directory));
  }

  /** Returns the permissions a regular file is created with. */
  public Set<PosixFilePermission> filePermissions() {
    return filePermissions;
  }

  /** Returns the permissions a directory is created with. */
  public Set<PosixFilePermission> directoryPermissions() {
    return directoryPermissions;
  }

  FileAttribute<Set<PosixFilePermission>> fileAttribute() {
    return PosixFilePermissions.asFileAttribute(filePermissions);
  }

  FileAttribute<Set<PosixFilePermission>> directoryAttribute() {
    return PosixFilePermissions.asFileAttribute(directoryPermissions);
  }
}
