package dev.connect.peers;

/**
 * One server of a {@link ConsulCluster}: its node name, addresses and process. Its log is
 * deleted when the cluster is closed.
 *
 * <p>Thread-safe.
 */
public final class ConsulServer extends ConsulNode {
  private final String node;

  ConsulServer(String node, ConsulPorts ports, PeerProcess process) {
    super(process, ports);
    this.node = node;
  }

  /** Returns the node name ({@code s1}, {@code s2}, {@code s3}). */
  public String node() {
    return node;
  }

  /** Prints the node, the PID and the HTTP address. */
  @Override
  public String toString() {
    return "ConsulServer[" + node + ", pid=" + pid() + ", http=" + httpAddress() + "]";
  }
}
