package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a Consul agent finds the ACL token of a request, in its order: the {@code ?token=} query
 * parameter, then the {@code X-Consul-Token} header, then {@code Authorization: Bearer <token>}
 * (scheme case-insensitive, the first word after it). A request with none of them runs with the
 * agent's default token (anonymous).
 */
public final class ConsulTokens {
  private ConsulTokens() {}

  /**
   * Returns the token of a request.
   *
   * @param query the decoded query parameters
   * @param header returns the first value of a header by name (case-insensitive), or {@code
   *     null} when it is absent
   * @return the token, or empty when the request carries none
   */
  public static Optional<String> fromRequest(Map<String, List<String>> query,
      Function<String, String> header) {
    requireNonNull(query, "query");
    requireNonNull(header, "header");
    List<String> fromQuery = query.get("token");
    if (fromQuery != null && !fromQuery.isEmpty() && fromQuery.get(0) != null
        && !fromQuery.get(0).isEmpty()) {
      return Optional.of(fromQuery.get(0));
    }
    String fromHeader = header.apply(ConsulHeaders.TOKEN);
    if (fromHeader != null && !fromHeader.isEmpty()) {
      return Optional.of(fromHeader);
    }
    String authorization = header.apply(ConsulHeaders.AUTHORIZATION);
    if (authorization != null && !authorization.isEmpty()) {
      return bearer(authorization);
    }
    return Optional.empty();
  }

  /**
   * Reads a token from an {@code Authorization} value as Consul 1.10 does: {@code <scheme>
   * <value>} split on single spaces, the scheme {@code bearer} in any case, the first word of the
   * trimmed value.
   *
   * @param authorization the header value
   * @return the token, or empty for another scheme or a value without one
   */
  public static Optional<String> bearer(String authorization) {
    requireNonNull(authorization, "authorization");
    String[] parts = authorization.split(" ", -1);
    if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer")) {
      return Optional.empty();
    }
    String value = String.join(" ", java.util.Arrays.asList(parts).subList(1, parts.length))
        .strip();
    String token = value.split(" ", -1)[0].strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
