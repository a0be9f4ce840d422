package dev.connect.http.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One HTTP request as the endpoints see it: method, decoded path and query, headers, body and
 * the client's address (for per-client limits). The token is never printed.
 *
 * @param method the method, upper case
 * @param path the decoded path, without the query
 * @param query the decoded query parameters, each with its values in order
 * @param header returns the first value of a header by name (case-insensitive), or null
 * @param body the body bytes, empty when there is none
 * @param client the client's address, as text
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query,
    Function<String, String> header, byte[] body, String client) {

  /** Checks the values. */
  public ApiRequest {
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    query = Map.copyOf(query);
    requireNonNull(header, "header");
    requireNonNull(body, "body");
    requireNonNull(client, "client");
  }

  /** Returns the first value of a query parameter, if it is present (possibly empty). */
  public Optional<String> param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Tells whether a query parameter is present, with or without a value ({@code ?pretty}). */
  public boolean has(String name) {
    return query.containsKey(name);
  }

  /** Returns the ACL token of the request, found as Consul finds it. */
  public Optional<String> token() {
    return dev.connect.consul.ConsulTokens.fromRequest(query, header);
  }

  @Override
  public String toString() {
    return "ApiRequest[" + method + " " + path + " from " + client + "]";
  }
}
