package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import java.util.List;
import java.util.Optional;

/**
 * The intentions of a {@link ConnectAgent}'s backend, read and written with one ACL token: the
 * rules that allow or deny connections from one service to another.
 *
 * <pre>{@code
 * AgentIntentions intentions = agent.intentions(operatorToken);
 * intentions.allow("web", "db");
 * intentions.deny("*", "db");
 * intentions.check("web", "db").allowed();   // true: the exact intention outranks the wildcard
 * }</pre>
 *
 * <p>Every call goes through the server's own ACL checks with this view's token: writes need
 * {@code intention:write} on the destination ({@link dev.connect.core.PermissionDeniedException}
 * otherwise), reads {@code intention:read}, and lists leave out what the token may not read. A
 * change reaches handshakes once the cache's blocking query for the destination returns, which
 * takes no polling but is not synchronous with the write.
 *
 * <p>Services are written {@code name} (default namespace), {@code namespace/name}, or {@code *}
 * for all. The view runs over the backend's {@link dev.connect.core.IntentionAdmin} (the
 * embedded server's, or any other backend's); over a backend without one only {@link
 * #match(String)} is available, and the rest throw {@link
 * dev.connect.core.UnsupportedByBackendException} naming the operation and the backend.
 * Thread-safe.
 */
public final class AgentIntentions {
  private final ConnectAgent agent;
  private final QueryOptions options;

  AgentIntentions(ConnectAgent agent, QueryOptions options) {
    this.agent = agent;
    this.options = options;
  }

  /**
   * Creates or updates the intention from {@code source} to {@code destination} (Consul's
   * {@code PUT /v1/connect/intentions/exact}).
   *
   * @param source the source, such as {@code web} or {@code *}
   * @param destination the destination, such as {@code db}
   * @param action allow or deny
   * @param description free text, at most 512 bytes; may be empty
   * @return the stored intention
   * @throws IllegalArgumentException if a service is not a valid target or the description is
   *     too long
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the destination
   * @throws dev.connect.core.AclNotFoundException if no token has this view's secret
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Intention upsert(String source, String destination, IntentionAction action,
      String description) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(action, "action");
    requireNonNull(description, "description");
    return Futures.join(agent.intentionAdmin().intentionUpsert(IntentionTarget.parse(source),
        IntentionTarget.parse(destination), action, description, options));
  }

  /**
   * Allows connections from {@code source} to {@code destination}; {@link #upsert} with {@link
   * IntentionAction#ALLOW} and no description.
   *
   * @param source the source, such as {@code web} or {@code *}
   * @param destination the destination
   * @return the stored intention
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Intention allow(String source, String destination) {
    return upsert(source, destination, IntentionAction.ALLOW, "");
  }

  /**
   * Denies connections from {@code source} to {@code destination}; {@link #upsert} with {@link
   * IntentionAction#DENY} and no description.
   *
   * @param source the source, such as {@code web} or {@code *}
   * @param destination the destination
   * @return the stored intention
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Intention deny(String source, String destination) {
    return upsert(source, destination, IntentionAction.DENY, "");
  }

  /**
   * Creates an intention as Consul's legacy {@code POST /v1/connect/intentions} does: a new ID,
   * refused if one exists for the same source and destination.
   *
   * @param intention the intention, with an empty ID
   * @return the stored intention, with its ID
   * @throws IllegalArgumentException if the ID is not empty, or the pair exists
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Intention create(Intention intention) {
    requireNonNull(intention, "intention");
    return Futures.join(agent.intentionAdmin().intentionCreate(intention, options));
  }

  /**
   * Replaces the intention with this ID, as Consul's legacy {@code PUT
   * /v1/connect/intentions/<id>} does: source, destination, action, description and metadata
   * from {@code intention}; its ID and creation stay.
   *
   * @param id the intention's ID, a UUID
   * @param intention the new content, with an empty ID or this one
   * @return the stored intention
   * @throws IllegalArgumentException if {@code id} is not a UUID, no intention has it, or
   *     another intention has the new source and destination
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the old or the new destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Intention update(String id, Intention intention) {
    requireNonNull(id, "id");
    requireNonNull(intention, "intention");
    return Futures.join(agent.intentionAdmin().intentionUpdate(id, intention, options));
  }

  /**
   * Lists the intentions the token may read, most precedent first.
   *
   * @return the intentions
   * @throws dev.connect.core.AclNotFoundException if no token has this view's secret
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public List<Intention> list() {
    return Futures.join(agent.intentionAdmin().intentions(options)).value();
  }

  /**
   * Returns the intention with this ID.
   *
   * @param id a UUID
   * @return the intention, or empty
   * @throws IllegalArgumentException if {@code id} is not a UUID
   * @throws dev.connect.core.PermissionDeniedException if it exists and the token may read
   *     neither its source nor its destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Optional<Intention> get(String id) {
    requireNonNull(id, "id");
    return Futures.join(agent.intentionAdmin().intentionGet(id, options));
  }

  /**
   * Returns the intention for exactly this source and destination.
   *
   * @param source the source, such as {@code web} or {@code *}
   * @param destination the destination
   * @return the intention, or empty
   * @throws dev.connect.core.PermissionDeniedException if the token may read neither side
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Optional<Intention> get(String source, String destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    return Futures.join(agent.intentionAdmin().intentionGetExact(IntentionTarget.parse(source),
        IntentionTarget.parse(destination), options));
  }

  /**
   * Deletes the intention with this ID.
   *
   * @param id a UUID
   * @return whether it existed
   * @throws IllegalArgumentException if {@code id} is not a UUID
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on its destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public boolean delete(String id) {
    requireNonNull(id, "id");
    return Futures.join(agent.intentionAdmin().intentionDelete(id, options));
  }

  /**
   * Deletes the intention for exactly this source and destination.
   *
   * @param source the source
   * @param destination the destination
   * @return whether it existed
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:write} on the destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public boolean delete(String source, String destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    return Futures.join(agent.intentionAdmin().intentionDeleteExact(
        IntentionTarget.parse(source), IntentionTarget.parse(destination), options));
  }

  /**
   * Decides whether {@code source} may connect to {@code destination} now, as Consul's {@code
   * GET /v1/connect/intentions/check} does, straight from the server (not the cache).
   *
   * @param source the client service; no wildcard
   * @param destination the server service; no wildcard
   * @return the decision and its reason
   * @throws IllegalArgumentException if a service is not valid or is a wildcard
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code service:read}
   *     on the destination
   * @throws dev.connect.core.UnsupportedByBackendException if the backend does not implement
   *     {@link dev.connect.core.IntentionAdmin}
   * @throws IllegalStateException if the agent is closed
   */
  public Decision check(String source, String destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    return Futures.join(agent.intentionAdmin().intentionCheck(source, destination, options));
  }

  /**
   * Returns the intentions whose destination covers {@code destination}, most precedent first,
   * straight from the backend: Consul's {@code /v1/connect/intentions/match?by=destination}.
   * Available with every backend.
   *
   * @param destination {@code name} or {@code namespace/name}
   * @return the matching intentions
   * @throws IllegalArgumentException if the name is not valid
   * @throws dev.connect.core.PermissionDeniedException if the token lacks {@code
   *     intention:read} on it
   * @throws IllegalStateException if the agent is closed
   */
  public List<Intention> match(String destination) {
    requireNonNull(destination, "destination");
    agent.checkOpen();
    return Futures.join(agent.backend().matchIntentions(destination, options)).value();
  }

  /** Returns the agent and whether a token is used (never the token). */
  @Override
  public String toString() {
    return "AgentIntentions[" + agent + ", token="
        + (options.tokenSecret().isPresent() ? "<redacted>" : "anonymous") + "]";
  }
}
