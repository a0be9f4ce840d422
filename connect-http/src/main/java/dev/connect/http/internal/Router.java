package dev.connect.http.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Consul's mux: exact paths and prefixes ending in {@code /} (the longest wins), each with the
 * methods it allows. Built once, then read by every event loop.
 */
final class Router {
  /** What serves one method of one path; {@code rest} is the path after a prefix. */
  @FunctionalInterface
  interface Endpoint {
    CompletableFuture<ApiReply> handle(ApiRequest request, String rest);
  }

  /** A path and its endpoints by method, in registration order. */
  record Route(String path, boolean prefix, Map<String, Endpoint> methods) {
    /** The {@code Allow} header value, as Consul writes it: {@code OPTIONS,GET}. */
    String allow() {
      return "OPTIONS," + String.join(",", methods.keySet());
    }
  }

  private final Map<String, Route> exact = new LinkedHashMap<>();
  private final List<Route> prefixes = new ArrayList<>();

  /** Registers {@code path} exactly, or as a prefix when it ends in {@code /}. */
  Router add(String method, String path, Endpoint endpoint) {
    boolean prefix = path.endsWith("/");
    Route route = prefix
        ? prefixes.stream().filter(r -> r.path().equals(path)).findFirst().orElse(null)
        : exact.get(path);
    if (route == null) {
      route = new Route(path, prefix, new LinkedHashMap<>());
      if (prefix) {
        prefixes.add(route);
        prefixes.sort((a, b) -> b.path().length() - a.path().length());
      } else {
        exact.put(path, route);
      }
    }
    if (route.methods().putIfAbsent(method, endpoint) != null) {
      throw new IllegalStateException(method + " " + path + " is registered twice");
    }
    return this;
  }

  /** Finds the route of a path, exact before prefix. */
  Optional<Route> route(String path) {
    Route r = exact.get(path);
    if (r != null) {
      return Optional.of(r);
    }
    for (Route p : prefixes) {
      if (path.startsWith(p.path())) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
