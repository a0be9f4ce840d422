package dev.connect.http.internal;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.ConnectException;
import dev.connect.core.PermissionDeniedException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches a request to its endpoint and turns every outcome into a reply as a Consul agent
 * writes it: 404 with no body for an unknown path, 405 with {@code Allow}, OPTIONS answered with
 * {@code Allow}, plain-text errors, and {@code Vary} and {@code X-Consul-Default-Acl-Policy} on
 * every handled {@code /v1/} reply. A failure that is not a client's mistake is a 500 with a
 * short message and a log line; a stack trace never reaches the client.
 */
public final class Api {
  private static final Logger LOG = LoggerFactory.getLogger(Api.class);

  private final Router router;
  private final String defaultAclPolicy;

  /**
   * Creates the dispatcher.
   *
   * @param router the routes
   * @param defaultAclPolicy {@code allow} or {@code deny}, as the ACL header says it
   */
  Api(Router router, String defaultAclPolicy) {
    this.router = router;
    this.defaultAclPolicy = defaultAclPolicy;
  }

  /**
   * Answers a request; the future never fails.
   *
   * @param request the request
   * @return the reply
   */
  public CompletableFuture<ApiReply> dispatch(ApiRequest request) {
    Optional<Router.Route> found = router.route(request.path());
    if (found.isEmpty()) {
      return CompletableFuture.completedFuture(new ApiReply(404, List.of(), new byte[0]));
    }
    Router.Route route = found.get();
    String rest = route.prefix() ? request.path().substring(route.path().length()) : "";
    CompletableFuture<ApiReply> reply;
    if (request.method().equals("OPTIONS")) {
      reply = CompletableFuture.completedFuture(ApiReply.empty().with("Allow", route.allow()));
    } else {
      Router.Endpoint endpoint = route.methods().get(request.method());
      if (endpoint == null) {
        reply = CompletableFuture.completedFuture(
            ApiReply.text(405, "method " + request.method() + " not allowed")
                .with("Allow", route.allow()));
      } else {
        try {
          reply = endpoint.handle(request, rest);
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e);
        }
      }
    }
    return reply.handle((r, e) -> e == null ? r : error(request, e))
        .thenApply(r -> r.with("Vary", "Accept-Encoding")
            .with("X-Consul-Default-Acl-Policy", defaultAclPolicy));
  }

  /** The reply for a failure, by its type. */
  static ApiReply error(ApiRequest request, Throwable failure) {
    Throwable e = unwrap(failure);
    if (e instanceof ApiException a) {
      return ApiReply.text(a.status(), a.getMessage());
    }
    if (e instanceof AclNotFoundException) {
      return ApiReply.text(403, AclNotFoundException.MESSAGE);
    }
    if (e instanceof PermissionDeniedException p) {
      return ApiReply.text(403, p.getMessage());
    }
    if (e instanceof RejectedExecutionException) {
      return ApiReply.text(503, "The agent is busy: too many requests in progress; retry");
    }
    if (e instanceof IllegalArgumentException || e instanceof ConnectException) {
      // A value the core refused (a service name, a CSR, an intention): the client's mistake.
      // Consul answers some of these with 500; docs/http.md lists each 400 we answer instead.
      return ApiReply.text(400, e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage());
    }
    LOG.error("{} failed", request, e);
    return ApiReply.text(500, "Internal error: " + e.getClass().getSimpleName()
        + " (the agent's log has the details)");
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The headers every handled reply carries; for tests. */
  Map<String, String> commonHeaders() {
    return Map.of("Vary", "Accept-Encoding", "X-Consul-Default-Acl-Policy", defaultAclPolicy);
  }
}
