package dev.connect.http.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a Consul agent finds a request's ACL token, in its order: {@code ?token=}, then {@code
 * X-Consul-Token}, then {@code Authorization: Bearer <token>}. Part of the wire seam: replaced by
 * {@code dev.connect.consul.ConsulTokens} once connect-consul is on main.
 */
final class Tokens {
  private Tokens() {}

  static Optional<String> fromRequest(Map<String, List<String>> query,
      Function<String, String> header) {
    List<String> q = query.get("token");
    if (q != null && !q.isEmpty() && !q.get(0).isEmpty()) {
      return Optional.of(q.get(0));
    }
    String h = header.apply("X-Consul-Token");
    if (h != null && !h.isEmpty()) {
      return Optional.of(h);
    }
    String a = header.apply("Authorization");
    if (a != null) {
      String[] parts = a.strip().split(" +");
      if (parts.length >= 2 && parts[0].equalsIgnoreCase("bearer") && !parts[1].isEmpty()) {
        return Optional.of(parts[1]);
      }
    }
    return Optional.empty();
  }
}
