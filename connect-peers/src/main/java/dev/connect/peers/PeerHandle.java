package dev.connect.peers;

import java.nio.file.Path;

/**
 * What every peer with one process offers its test: the process ID, whether it runs, and its
 * log. The one copy behind {@link ConsulAgent}, {@link ConsulServer} and {@link VaultDev}.
 */
abstract class PeerHandle {
  private final PeerProcess process;

  PeerHandle(PeerProcess process) {
    this.process = process;
  }

  /** Returns the peer's process ID. */
  public final long pid() {
    return process.pid();
  }

  /** Returns whether the peer's process still runs. */
  public final boolean isAlive() {
    return process.isAlive();
  }

  /** Returns the file holding the peer's output (deleted when the peer is closed). */
  public final Path log() {
    return process.log();
  }

  /** Returns the last {@code lines} lines of the peer's output, to print when a test fails. */
  public final String logTail(int lines) {
    return process.logTail(lines);
  }

  final PeerProcess process() {
    return process;
  }
}
