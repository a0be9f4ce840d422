package dev.connect.http.internal;

import static dev.connect.http.internal.Endpoints.json;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.GoMultiError;
import dev.connect.consul.IntentionCheckWire;
import dev.connect.consul.IntentionIdWire;
import dev.connect.consul.IntentionWire;
import dev.connect.consul.Shape;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.IntentionTarget;
import dev.connect.core.Intentions;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;

/**
 * {@code /v1/connect/intentions}: list and create, {@code /exact}, {@code /<id>}, {@code /match}
 * and {@code /check}, on the backend's {@link IntentionAdmin} (asynchronous: no thread waits).
 * Consul answers validation errors with 500; ours are 400 with the same text.
 */
final class IntentionEndpoints {
  private static final String DECODE = "Failed to decode request body: ";

  private final ConnectAgent agent;
  private final Waiters waiters;
  private final LongUnaryOperator random;

  IntentionEndpoints(ConnectAgent agent, Waiters waiters, LongUnaryOperator random) {
    this.agent = agent;
    this.waiters = waiters;
    this.random = random;
  }

  Router register(Router router) {
    router.add("GET", "/v1/connect/intentions", this::list);
    router.add("POST", "/v1/connect/intentions", this::create);
    router.add("GET", "/v1/connect/intentions/exact", this::getExact);
    router.add("PUT", "/v1/connect/intentions/exact", this::putExact);
    router.add("DELETE", "/v1/connect/intentions/exact", this::deleteExact);
    router.add("GET", "/v1/connect/intentions/match", this::match);
    router.add("GET", "/v1/connect/intentions/check", this::check);
    router.add("GET", "/v1/connect/intentions/", this::get);
    router.add("PUT", "/v1/connect/intentions/", this::update);
    router.add("DELETE", "/v1/connect/intentions/", this::delete);
    return router;
  }

  private IntentionAdmin admin() {
    if (agent.backend() instanceof IntentionAdmin a) {
      return a;
    }
    throw new ApiException(501, "this agent's backend does not manage intentions: "
        + agent.backend().getClass().getSimpleName());
  }

  private static QueryOptions options(ApiRequest r) {
    QueryOptions.Builder o = QueryOptions.builder();
    r.token().ifPresent(o::token);
    return o.build();
  }

  // --- list and create ------------------------------------------------------------------------

  private CompletableFuture<ApiReply> list(ApiRequest r, String rest) {
    if (r.param("filter").filter(f -> !f.isEmpty()).isPresent()) {
      throw new ApiException(400, "filter is not supported by this agent yet: "
          + r.param("filter").get());
    }
    Blocking b = Blocking.of(r);
    Supplier<CompletableFuture<ApiReply>> now = () -> listAt(r, 0, Duration.ZERO);
    if (b.blocks()) {
      Duration wait = b.withJitter(random);
      return waiters.await(r.client(), () -> listAt(r, b.index(), wait), now);
    }
    return now.get();
  }

  private CompletableFuture<ApiReply> listAt(ApiRequest r, long index, Duration wait) {
    QueryOptions.Builder o = QueryOptions.builder();
    r.token().ifPresent(o::token);
    if (index > 0) {
      o.minIndex(index).maxWait(wait);
    }
    return admin().intentions(o.build()).thenApply(q -> indexed(json(r, wires(q.value())), q));
  }

  private CompletableFuture<ApiReply> create(ApiRequest r, String rest) {
    IntentionWire wire = Json.read(r.body(), Shape.of(IntentionWire.class), DECODE);
    if (wire.id() != null && !wire.id().isEmpty()) {
      throw new ApiException(400, "ID must be empty when creating a new intention");
    }
    Intention intention = toIntention(wire);
    return admin().intentionCreate(intention, options(r))
        .thenApply(i -> json(r, new IntentionIdWire(i.id())));
  }

  // --- exact ----------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> getExact(ApiRequest r, String rest) {
    IntentionTarget source = target(r, "source");
    IntentionTarget destination = target(r, "destination");
    return admin().intentionGetExact(source, destination, options(r))
        .thenApply(found -> json(r, IntentionWire.from(found.orElseThrow(
            () -> new ApiException(404, "Intention not found")))));
  }

  private CompletableFuture<ApiReply> putExact(ApiRequest r, String rest) {
    IntentionTarget source = target(r, "source");
    IntentionTarget destination = target(r, "destination");
    IntentionWire wire = Json.read(r.body(), Shape.of(IntentionWire.class), DECODE);
    if (wire.meta() != null && !wire.meta().isEmpty()) {
      throw new ApiException(400, "Meta must not be specified, or should be unchanged during an"
          + " update.");
    }
    if (wire.permissions() != null && !wire.permissions().isEmpty()) {
      throw new ApiException(400, "Permissions (L7 intentions) are not supported by this agent"
          + " yet");
    }
    IntentionAction action;
    try {
      action = IntentionAction.parse(wire.action() == null ? "" : wire.action());
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "Sources[0].Action must be set to 'allow' or 'deny'");
    }
    return admin().intentionUpsert(source, destination, action,
        wire.description() == null ? "" : wire.description(), options(r))
        .thenApply(i -> json(r, Boolean.TRUE));
  }

  private CompletableFuture<ApiReply> deleteExact(ApiRequest r, String rest) {
    IntentionTarget source = target(r, "source");
    IntentionTarget destination = target(r, "destination");
    return admin().intentionDeleteExact(source, destination, options(r))
        .thenApply(deleted -> json(r, Boolean.TRUE));
  }

  // --- by ID ----------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> get(ApiRequest r, String id) {
    checkId(id);
    return admin().intentionGet(id, options(r)).thenApply(found -> json(r, IntentionWire.from(
        found.orElseThrow(() -> new ApiException(404, "Intention not found")))));
  }

  private CompletableFuture<ApiReply> update(ApiRequest r, String id) {
    checkId(id);
    IntentionWire wire = Json.read(r.body(), Shape.of(IntentionWire.class), DECODE);
    Intention intention = toIntention(new IntentionWire(wire.createdAt(), wire.updatedAt(),
        null, wire.description(), wire.sourceNs(), wire.sourceName(), wire.destinationNs(),
        wire.destinationName(), wire.sourceType(), wire.action(), wire.permissions(),
        wire.meta(), wire.precedence(), wire.hash(), wire.createIndex(), wire.modifyIndex()));
    return admin().intentionUpdate(id, intention, options(r))
        .thenApply(i -> json(r, new IntentionIdWire(i.id())));
  }

  private CompletableFuture<ApiReply> delete(ApiRequest r, String id) {
    checkId(id);
    return admin().intentionDelete(id, options(r)).thenApply(deleted -> {
      if (!deleted) {
        // Consul: 500; the client named an intention that does not exist.
        throw new ApiException(400, "Cannot delete non-existent intention: '" + id + "'");
      }
      return json(r, Boolean.TRUE);
    });
  }

  private static void checkId(String id) {
    if (id.length() != 36) {
      throw ApiException.badRequest("failed config entry lookup: index error: UUID must be 36"
          + " characters");
    }
  }

  // --- match and check ------------------------------------------------------------------------

  private CompletableFuture<ApiReply> match(ApiRequest r, String rest) {
    String by = required(r, "by");
    if (!by.equals("source") && !by.equals("destination")) {
      throw new ApiException(400, "'by' parameter must be one of 'source' or 'destination'");
    }
    List<String> names = r.query().get("name");
    if (names == null || names.isEmpty() || names.get(0).isEmpty()) {
      throw new ApiException(400, "required query parameter 'name' not set");
    }
    // A blocking query, as Consul's match: the agent caches watch it with index and wait.
    Blocking b = Blocking.of(r);
    Supplier<CompletableFuture<ApiReply>> now = () -> matchAt(r, by, names, 0, Duration.ZERO);
    if (b.blocks()) {
      Duration wait = b.withJitter(random);
      return waiters.await(r.client(), () -> matchAt(r, by, names, b.index(), wait), now);
    }
    return now.get();
  }

  private CompletableFuture<ApiReply> matchAt(ApiRequest r, String by, List<String> names,
      long minIndex, Duration wait) {
    QueryOptions.Builder ob = QueryOptions.builder();
    r.token().ifPresent(ob::token);
    if (minIndex > 0) {
      ob.minIndex(minIndex).maxWait(wait);
    }
    QueryOptions o = ob.build();
    if (by.equals("destination")) {
      List<CompletableFuture<QueryResult<List<Intention>>>> each = new ArrayList<>();
      for (String name : names) {
        each.add(agent.backend().matchIntentions(name, o));
      }
      return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
        Map<String, List<IntentionWire>> out = new LinkedHashMap<>();
        long index = 0;
        for (int i = 0; i < names.size(); i++) {
          QueryResult<List<Intention>> q = each.get(i).join();
          out.put(names.get(i), wires(q.value()));
          index = Math.max(index, q.index());
        }
        return indexed(json(r, out), new QueryResult<>(out, index))
            .with("X-Consul-Effective-Consistency", "leader");
      });
    }
    return admin().intentions(o).thenApply(q -> {
      Intentions all = Intentions.of(q.value());
      Map<String, List<IntentionWire>> out = new LinkedHashMap<>();
      for (String name : names) {
        out.put(name, wires(all.matchBySource(name)));
      }
      return indexed(json(r, out), q).with("X-Consul-Effective-Consistency", "leader");
    });
  }

  private CompletableFuture<ApiReply> check(ApiRequest r, String rest) {
    String source = required(r, "source");
    String destination = required(r, "destination");
    return admin().intentionCheck(source, destination, options(r))
        .thenApply(d -> json(r, new IntentionCheckWire(d.allowed())));
  }

  // --- helpers --------------------------------------------------------------------------------

  private static ApiReply indexed(ApiReply reply, QueryResult<?> q) {
    return reply.with("X-Consul-Index", Long.toString(q.index()))
        .with("X-Consul-Knownleader", "true")
        .with("X-Consul-Lastcontact", "0")
        .with("X-Consul-Query-Backend", "blocking-query");
  }

  /**
   * {@code "Meta": {"k": null}} is {@code "k": ""}, as Go decodes a null into a map of strings
   * (Consul stores the empty value); the core's intention refuses a null value (it was a 500).
   */
  private static IntentionWire nullMetaValuesEmpty(IntentionWire w) {
    if (w.meta() == null || !w.meta().containsValue(null)) {
      return w;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    w.meta().forEach((k, v) -> meta.put(k, v == null ? "" : v));
    return new IntentionWire(w.createdAt(), w.updatedAt(), w.id(), w.description(),
        w.sourceNs(), w.sourceName(), w.destinationNs(), w.destinationName(), w.sourceType(),
        w.action(), w.permissions(), meta, w.precedence(), w.hash(), w.createIndex(),
        w.modifyIndex());
  }

  private static List<IntentionWire> wires(List<Intention> intentions) {
    List<IntentionWire> out = new ArrayList<>(intentions.size());
    for (Intention i : intentions) {
      out.add(IntentionWire.from(i));
    }
    return out;
  }

  private static Intention toIntention(IntentionWire wire) {
    try {
      return nullMetaValuesEmpty(wire).toIntention();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      // Consul's texts exactly, without the value connect-consul appends.
      if (m != null && m.startsWith("Action")) {
        m = "Action must be set to 'allow' or 'deny'";
      } else if (m != null && m.startsWith("SourceType must be set to 'consul'")) {
        m = "SourceType must be set to 'consul'";
      }
      throw new ApiException(400, GoMultiError.of(m == null ? "invalid intention" : m));
    }
  }

  private static String required(ApiRequest r, String name) {
    String v = r.param(name).orElse("");
    if (v.isEmpty()) {
      throw new ApiException(400, "required query parameter '" + name + "' not set");
    }
    return v;
  }

  private static IntentionTarget target(ApiRequest r, String name) {
    String v = required(r, name);
    try {
      return IntentionTarget.parse(v);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
  }
}
