package dev.connect.peers;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running Consul agent seen from outside: its ports on 127.0.0.1 and the readiness probes of
 * its HTTP API. The one copy behind {@link ConsulAgent} and {@link ConsulServer}.
 */
abstract class ConsulNode extends PeerHandle {
  private final ConsulPorts ports;

  ConsulNode(PeerProcess process, ConsulPorts ports) {
    super(process);
    this.ports = ports;
  }

  /** Returns the HTTP API's address, {@code http://127.0.0.1:<port>}. */
  public final URI httpAddress() {
    return URI.create("http://127.0.0.1:" + ports.http());
  }

  /** Returns the HTTP API's port on 127.0.0.1. */
  public final int httpPort() {
    return ports.http();
  }

  /** Returns the gRPC port (xDS) on 127.0.0.1. */
  public final int grpcPort() {
    return ports.grpc();
  }

  /** Returns the server RPC port on 127.0.0.1; {@code /v1/status/leader} names it. */
  public final int serverPort() {
    return ports.server();
  }

  /** Returns the Serf LAN port (TCP and UDP) on 127.0.0.1. */
  public final int serfLanPort() {
    return ports.serfLan();
  }

  final ConsulPorts ports() {
    return ports;
  }

  /** Waits until the agent at {@code http} serves an active CA root, as a client would see it. */
  static void awaitActiveRoot(URI http, Optional<String> token, Duration timeout,
      List<PeerProcess> watched) {
    PeerProcess.await("active CA root at " + http, timeout, watched,
        () -> PeerHttp.get(http.resolve("/v1/connect/ca/roots"), "X-Consul-Token", token)
            .filter(a -> a.status() == 200).flatMap(PeerHttp.Answer::json)
            .filter(ConsulNode::hasActiveRoot));
  }

  /** The leader's RPC address as {@code /v1/status/leader} gives it; empty if unreachable. */
  static Optional<String> leader(URI http) {
    return PeerHttp.get(http.resolve("/v1/status/leader"), "X-Consul-Token", Optional.empty())
        .filter(a -> a.status() == 200).flatMap(PeerHttp.Answer::json)
        .filter(JsonNode::isTextual).map(JsonNode::asText);
  }

  static boolean hasActiveRoot(JsonNode roots) {
    for (JsonNode root : roots.path("Roots")) {
      if (root.path("Active").asBoolean(false)) {
        return true;
      }
    }
    return false;
  }
}
