package dev.connect.cli;

import dev.connect.ca.CaAdmin;
import dev.connect.consul.AgentSelfWire;
import dev.connect.consul.ConsulBackend;
import dev.connect.consul.ConsulHttpException;
import dev.connect.core.AclAdmin;
import dev.connect.core.ConnectBackend;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What an admin command acts on: the data directory of a stopped server, opened here, or a
 * running agent reached over Consul's HTTP API. Both are the same admin interfaces, so a
 * command is written once. Closing closes the directory or stops the HTTP client.
 */
final class Target implements AutoCloseable {
  private final ConnectBackend backend;
  private final IntentionAdmin intentions;
  private final CaAdmin ca;
  private final AclAdmin acl;
  private final Runnable closer;
  private final QueryOptions query;
  private final EmbeddedServer local; // null: remote
  private final ConsulBackend remote; // null: local
  private final String unreachableHint;
  private AgentSelfWire self; // read once, for an agent

  private <T extends ConnectBackend & IntentionAdmin & CaAdmin & AclAdmin> Target(T target,
      Runnable closer, QueryOptions query, EmbeddedServer local, ConsulBackend remote,
      String unreachableHint) {
    this.backend = target;
    this.intentions = target;
    this.ca = target;
    this.acl = target;
    this.closer = closer;
    this.query = query;
    this.local = local;
    this.remote = remote;
    this.unreachableHint = unreachableHint;
  }

  /** A stopped server's directory, opened by the caller; {@code query} carries the token. */
  static Target local(EmbeddedServer server, QueryOptions query) {
    return new Target(server, server::close, query, server, null, "");
  }

  /**
   * A running agent; the backend carries the token. {@code unreachableHint} is added to a
   * refused connection's message (empty for none).
   */
  static Target remote(ConsulBackend backend, String unreachableHint) {
    return new Target(backend, backend::close, QueryOptions.defaults(), null, backend,
        unreachableHint);
  }

  ConnectBackend backend() {
    return backend;
  }

  IntentionAdmin intentions() {
    return intentions;
  }

  CaAdmin ca() {
    return ca;
  }

  AclAdmin acl() {
    return acl;
  }

  /** The query options of every call: the token for a directory, defaults for an agent. */
  QueryOptions query() {
    return query;
  }

  Optional<EmbeddedServer> local() {
    return Optional.ofNullable(local);
  }

  Optional<ConsulBackend> remote() {
    return Optional.ofNullable(remote);
  }

  /**
   * Reads the agent's {@code GET /v1/agent/self} once; a directory has none.
   */
  Optional<AgentSelfWire> agentSelf() {
    if (remote == null) {
      return Optional.empty();
    }
    if (self == null) {
      self = await(remote.agentSelf(query), "agent:read");
    }
    return Optional.of(self);
  }

  /**
   * Returns the path of {@code connect agent}'s CSR endpoint when the agent's {@code
   * /v1/agent/self} names one; empty for a Consul agent, and for a directory.
   */
  Optional<String> csrSignPath() {
    return agentSelf().map(AgentSelfWire::meta)
        .map(m -> m.get(ConsulBackend.CSR_SIGN_META));
  }

  /**
   * Waits for a call (each is bounded by the backend's request timeout) and returns its value.
   * A refusal that does not name the missing permission (Consul 1.10 answers a bare {@code
   * Permission denied}) is completed with {@code needs}, what the command needs.
   */
  <T> T await(CompletableFuture<T> call, String needs) {
    try {
      return call.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      if (c instanceof PermissionDeniedException p && !needs.isEmpty()
          && !p.getMessage().contains("lacks permission")) {
        throw new CliFailure(p.getMessage() + " (this command needs " + needs + ")", p);
      }
      if (c instanceof ConsulHttpException h && h.status().isEmpty()
          && h.getMessage().endsWith("connection refused") && !unreachableHint.isEmpty()) {
        throw new CliFailure(h.getMessage() + "; " + unreachableHint, h);
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    closer.run();
  }

  /** A failure whose message, one line, is all the user needs. */
  static final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
