package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of a proxy's counters since it started. "Inbound" bytes travel from the mesh side
 * to the local side (a client of the public listener to the application, or an upstream's
 * answer to the application); "outbound" bytes travel from the local side to the mesh.
 *
 * @param activeConnections connections open now (public and upstream listeners together)
 * @param acceptedConnections connections accepted in all
 * @param refusedOverLimit connections closed at once because the limit was reached
 * @param bytesInbound bytes relayed from the mesh side to the local side
 * @param bytesOutbound bytes relayed from the local side to the mesh side
 * @param handshakesAllowed mutual-TLS handshakes that succeeded, either role
 * @param handshakesDenied mutual-TLS handshakes that failed, either role
 * @param deniedReasons the failed handshakes by reason (Consul's words for an intention,
 *     {@code connect: ...} for an identity check, else the TLS error), at most {@value
 *     #MAX_REASONS} reasons, the rest counted under {@code other}
 */
public record ProxyMetrics(int activeConnections, long acceptedConnections,
    long refusedOverLimit, long bytesInbound, long bytesOutbound, long handshakesAllowed,
    long handshakesDenied, Map<String, Long> deniedReasons) {
  /** The most distinct denial reasons kept; the others are counted under {@code other}. */
  public static final int MAX_REASONS = 32;

  /** Copies the reasons, sorted. */
  public ProxyMetrics {
    requireNonNull(deniedReasons, "deniedReasons");
    deniedReasons = java.util.Collections.unmodifiableMap(new TreeMap<>(deniedReasons));
  }

  /**
   * Returns the one-line form the proxy logs at its metrics interval, such as {@code active=2
   * accepted=10 refused_over_limit=0 bytes_in=1024 bytes_out=512 handshakes_allowed=9
   * handshakes_denied=1 denied={"Intention deny: web => db"=1}}.
   *
   * @return the line
   */
  public String toLogLine() {
    StringBuilder s = new StringBuilder()
        .append("active=").append(activeConnections)
        .append(" accepted=").append(acceptedConnections)
        .append(" refused_over_limit=").append(refusedOverLimit)
        .append(" bytes_in=").append(bytesInbound)
        .append(" bytes_out=").append(bytesOutbound)
        .append(" handshakes_allowed=").append(handshakesAllowed)
        .append(" handshakes_denied=").append(handshakesDenied)
        .append(" denied={");
    String sep = "";
    for (Map.Entry<String, Long> e : deniedReasons.entrySet()) {
      s.append(sep).append('"').append(e.getKey().replace("\"", "'")).append("\"=")
          .append(e.getValue());
      sep = ", ";
    }
    return s.append('}').toString();
  }
}
