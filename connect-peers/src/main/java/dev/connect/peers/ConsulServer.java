package dev.connect.peers;

import java.net.URI;
import java.nio.file.Path;

/**
 * One server of a {@link ConsulCluster}: its node name, addresses and process.
 *
 * <p>Thread-safe.
 */
public final class ConsulServer {
  private final String node;
  private final ConsulPorts ports;
  private final PeerProcess process;

  ConsulServer(String node, ConsulPorts ports, PeerProcess process) {
    this.node = node;
    this.ports = ports;
    this.process = process;
  }

  /** Returns the node name ({@code s1}, {@code s2}, {@code s3}). */
  public String node() {
    return node;
  }

  /** Returns the HTTP API's address, {@code http://127.0.0.1:<port>}. */
  public URI httpAddress() {
    return URI.create("http://127.0.0.1:" + ports.http());
  }

  /** Returns the HTTP API's port on 127.0.0.1. */
  public int httpPort() {
    return ports.http();
  }

  /** Returns the gRPC port (xDS) on 127.0.0.1. */
  public int grpcPort() {
    return ports.grpc();
  }

  /** Returns the server RPC port on 127.0.0.1; {@code /v1/status/leader} names it. */
  public int serverPort() {
    return ports.server();
  }

  /** Returns the Serf LAN port (TCP and UDP) on 127.0.0.1. */
  public int serfLanPort() {
    return ports.serfLan();
  }

  /** Returns the server's process ID. */
  public long pid() {
    return process.pid();
  }

  /** Returns whether the server's process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Returns the file holding the server's output (deleted when the cluster is closed). */
  public Path log() {
    return process.log();
  }

  /** Returns the last {@code lines} lines of the server's output, to print when a test fails. */
  public String logTail(int lines) {
    return process.logTail(lines);
  }

  ConsulPorts ports() {
    return ports;
  }

  PeerProcess process() {
    return process;
  }

  /** Prints the node, the PID and the HTTP address. */
  @Override
  public String toString() {
    return "ConsulServer[" + node + ", pid=" + pid() + ", http=" + httpAddress() + "]";
  }
}
