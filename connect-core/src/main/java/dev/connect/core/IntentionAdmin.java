package dev.connect.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The administration of intentions, as a server offers it beside the read seam ({@link
 * ConnectBackend}): Consul's {@code /v1/connect/intentions} endpoints, named after the methods of
 * Consul's Go {@code api} client ({@code IntentionUpsert}, {@code IntentionGetExact}, ...).
 *
 * <p>Every call carries its ACL token in {@link QueryOptions} and is checked by the server as
 * Consul checks it: writes need {@code intention:write} on the destination, reads {@code
 * intention:read} on the source or the destination, and {@link #intentions(QueryOptions)} leaves
 * out what the token may not read. Failures complete the future exceptionally: {@link
 * PermissionDeniedException}, {@link AclNotFoundException} for an unknown token, {@link
 * IllegalArgumentException} for an invalid value (naming it), {@link ConnectException} when the
 * server cannot store the change. Only {@link #intentions(QueryOptions)} blocks; the other calls
 * ignore {@link QueryOptions#minIndex()}.
 *
 * <p>A backend that offers only some of these operations completes the others exceptionally
 * with {@link UnsupportedByBackendException}. Implementations are thread-safe and never park the
 * caller's thread.
 */
public interface IntentionAdmin {

  /**
   * Creates an intention with a new ID, as Consul's legacy {@code POST /v1/connect/intentions}
   * does; refused if one exists for the same source and destination.
   *
   * @param intention the intention, with an empty ID; its indexes and times are ignored
   * @param options the token
   * @return a future of the stored intention, with its ID
   */
  CompletableFuture<Intention> intentionCreate(Intention intention, QueryOptions options);

  /**
   * Replaces the intention with this ID, as Consul's legacy {@code PUT
   * /v1/connect/intentions/<id>} does: source, destination, action, description and metadata
   * from {@code intention}; the ID, creation index and creation time stay. Needs {@code
   * intention:write} on the old and on the new destination.
   *
   * @param id the intention's ID, a UUID
   * @param intention the new content; its ID must be empty or {@code id}
   * @param options the token
   * @return a future of the stored intention; completed exceptionally with {@link
   *     IllegalArgumentException} if no intention has this ID, or another one has the new
   *     source and destination
   */
  CompletableFuture<Intention> intentionUpdate(String id, Intention intention,
      QueryOptions options);

  /**
   * Creates or updates the intention for exactly this source and destination, as Consul's
   * {@code PUT /v1/connect/intentions/exact} does.
   *
   * @param source the source, such as {@code IntentionTarget.parse("web")}
   * @param destination the destination
   * @param action allow or deny
   * @param description free text, at most 512 bytes in UTF-8; may be empty
   * @param options the token
   * @return a future of the stored intention
   */
  CompletableFuture<Intention> intentionUpsert(IntentionTarget source,
      IntentionTarget destination, IntentionAction action, String description,
      QueryOptions options);

  /**
   * Returns the intention with this ID ({@code GET /v1/connect/intentions/<id>}).
   *
   * @param id a UUID
   * @param options the token
   * @return a future of the intention, or empty if none has this ID
   */
  CompletableFuture<Optional<Intention>> intentionGet(String id, QueryOptions options);

  /**
   * Returns the intention for exactly this source and destination ({@code GET
   * /v1/connect/intentions/exact}); wildcards are compared as values.
   *
   * @param source the source
   * @param destination the destination
   * @param options the token
   * @return a future of the intention, or empty
   */
  CompletableFuture<Optional<Intention>> intentionGetExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options);

  /**
   * Lists the intentions the token may read, most precedent first ({@code GET
   * /v1/connect/intentions}); blocks on the intentions index when {@code options} asks to.
   *
   * @param options the token and blocking settings
   * @return a future of the intentions and the intentions index
   */
  CompletableFuture<QueryResult<List<Intention>>> intentions(QueryOptions options);

  /**
   * Deletes the intention with this ID ({@code DELETE /v1/connect/intentions/<id>}).
   *
   * @param id a UUID
   * @param options the token
   * @return a future of whether it existed
   */
  CompletableFuture<Boolean> intentionDelete(String id, QueryOptions options);

  /**
   * Deletes the intention for exactly this source and destination ({@code DELETE
   * /v1/connect/intentions/exact}).
   *
   * @param source the source
   * @param destination the destination
   * @param options the token
   * @return a future of whether it existed
   */
  CompletableFuture<Boolean> intentionDeleteExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options);

  /**
   * Decides whether {@code source} may connect to {@code destination} now, as Consul's {@code
   * GET /v1/connect/intentions/check} does; needs {@code service:read} on the destination.
   *
   * @param source the client service, {@code name} or {@code namespace/name}; no wildcard
   * @param destination the server service, likewise
   * @param options the token
   * @return a future of the decision and its reason
   */
  CompletableFuture<Decision> intentionCheck(String source, String destination,
      QueryOptions options);
}
