package dev.connect.http.internal;

import static dev.connect.http.internal.Endpoints.json;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.AclLinkWire;
import dev.connect.consul.AclPolicyListEntryWire;
import dev.connect.consul.AclPolicyWire;
import dev.connect.consul.AclTokenWire;
import dev.connect.consul.Shape;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.ConnectException;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.QueryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Consul's {@code /v1/acl} endpoints that bootstrap and manage policies and tokens, on the
 * backend's {@link AclAdmin}: the backend enforces {@code acl:read} and {@code acl:write} (and
 * answers {@code token/self} for the token itself). Consul's texts and statuses: 401 {@code ACL
 * support disabled} without ACLs, 403 {@code ACL not found} for an unknown ID or token, and 400
 * with Consul's text where Consul answers a client's mistake (bad rules, a taken name) with 500.
 * A secret is written only in the reply to the request that created its token, never logged.
 */
final class AclEndpoints {
  private static final String POLICY_DECODE = "Bad request: Policy decoding failed: ";
  private static final String TOKEN_DECODE = "Bad request: Token decoding failed: ";
  private static final String DISABLED = "ACL support disabled";
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final ConnectAgent agent;

  AclEndpoints(ConnectAgent agent) {
    this.agent = agent;
  }

  Router register(Router router) {
    router.add("PUT", "/v1/acl/bootstrap", this::bootstrap);
    router.add("PUT", "/v1/acl/policy", this::policyCreate);
    router.add("GET", "/v1/acl/policy/", this::policyRead);
    router.add("PUT", "/v1/acl/policy/", this::policyUpdate);
    router.add("DELETE", "/v1/acl/policy/", this::policyDelete);
    router.add("GET", "/v1/acl/policy/name/", this::policyReadByName);
    router.add("GET", "/v1/acl/policies", this::policyList);
    router.add("PUT", "/v1/acl/token", this::tokenCreate);
    router.add("GET", "/v1/acl/token/self", this::tokenSelf);
    router.add("GET", "/v1/acl/token/", this::tokenRead);
    router.add("PUT", "/v1/acl/token/", this::tokenUpdate);
    router.add("DELETE", "/v1/acl/token/", this::tokenDelete);
    return router.add("GET", "/v1/acl/tokens", this::tokenList);
  }

  private AclAdmin admin() {
    if (agent.backend() instanceof AclAdmin a) {
      return a;
    }
    throw new ApiException(501, "this agent's backend does not manage ACLs: "
        + agent.backend().getClass().getSimpleName());
  }

  private static QueryOptions options(ApiRequest r) {
    QueryOptions.Builder o = QueryOptions.builder();
    r.token().ifPresent(o::token);
    return o.build();
  }

  private static QueryOptions withToken(String secret) {
    return QueryOptions.builder().token(secret).build();
  }

  // --- bootstrap ------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> bootstrap(ApiRequest r, String rest) {
    return consul(admin().aclBootstrap(QueryOptions.defaults())
        .thenCompose(token -> created(r, token)));
  }

  // --- policies -------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> policyCreate(ApiRequest r, String rest) {
    AclPolicyWire wire = Json.read(r.body(), Shape.of(AclPolicyWire.class), POLICY_DECODE);
    if (wire.id() != null && !wire.id().isEmpty()) {
      throw ApiException.badRequest("ID must be empty when creating a policy; got \""
          + wire.id() + "\"");
    }
    checkNoDatacenters(wire);
    return consul(admin().policyCreate(orEmpty(wire.name()), orEmpty(wire.description()),
        orEmpty(wire.rules()), options(r)).thenApply(p -> json(r, policyWire(p))));
  }

  private CompletableFuture<ApiReply> policyRead(ApiRequest r, String id) {
    checkUuid("policy", id);
    return consul(admin().policyRead(id, options(r)).thenApply(found -> read(r, policyWire(
        found.filter(p -> p.id().equalsIgnoreCase(id)).orElseThrow(AclEndpoints::notFound)))));
  }

  private CompletableFuture<ApiReply> policyReadByName(ApiRequest r, String name) {
    if (name.isEmpty()) {
      throw ApiException.badRequest("Missing policy Name");
    }
    return consul(admin().policyRead(name, options(r)).thenApply(found -> read(r, policyWire(
        found.filter(p -> p.name().equals(name)).orElseThrow(AclEndpoints::notFound)))));
  }

  private CompletableFuture<ApiReply> policyUpdate(ApiRequest r, String id) {
    checkUuid("policy", id);
    AclPolicyWire wire = Json.read(r.body(), Shape.of(AclPolicyWire.class), POLICY_DECODE);
    if (wire.id() != null && !wire.id().isEmpty() && !wire.id().equalsIgnoreCase(id)) {
      throw ApiException.badRequest("Policy ID in URL and payload do not match: \"" + id
          + "\" and \"" + wire.id() + "\"");
    }
    checkNoDatacenters(wire);
    return consul(admin().policyUpdate(id, orEmpty(wire.name()), orEmpty(wire.description()),
        orEmpty(wire.rules()), options(r)).thenApply(p -> json(r, policyWire(p))));
  }

  private CompletableFuture<ApiReply> policyDelete(ApiRequest r, String id) {
    checkUuid("policy", id);
    // Consul answers true whether or not the policy existed.
    return consul(admin().policyDelete(id, options(r)).thenApply(existed -> json(r, true)));
  }

  private CompletableFuture<ApiReply> policyList(ApiRequest r, String rest) {
    return consul(admin().policyList(options(r)).thenApply(policies -> {
      List<AclPolicyListEntryWire> out = new ArrayList<>(policies.size());
      for (AclPolicy p : policies) {
        out.add(new AclPolicyListEntryWire(p.id(), p.name(), p.description(),
            p.datacenters().isEmpty() ? null : p.datacenters(), null, null, null));
      }
      return read(r, out);
    }));
  }

  private static AclPolicyWire policyWire(AclPolicy p) {
    return new AclPolicyWire(p.id(), p.name(), p.description(), p.rulesText(),
        p.datacenters().isEmpty() ? null : p.datacenters(), null, null, null);
  }

  private static void checkNoDatacenters(AclPolicyWire wire) {
    if (wire.datacenters() != null && !wire.datacenters().isEmpty()) {
      throw ApiException.badRequest("Datacenters are not supported by this agent: "
          + wire.datacenters() + " (a policy applies in every datacenter)");
    }
  }

  // --- tokens ---------------------------------------------------------------------------------

  private CompletableFuture<ApiReply> tokenCreate(ApiRequest r, String rest) {
    AclTokenWire wire = Json.read(r.body(), Shape.of(AclTokenWire.class), TOKEN_DECODE);
    if (wire.accessorId() != null && !wire.accessorId().isEmpty()) {
      throw ApiException.badRequest("AccessorID must be empty when creating a token on this"
          + " agent; got \"" + wire.accessorId() + "\"");
    }
    if (wire.secretId() != null && !wire.secretId().isEmpty()) {
      // The value is a secret: the message does not repeat it.
      throw ApiException.badRequest("SecretID must be empty when creating a token on this"
          + " agent; it makes the secret");
    }
    List<String> policies = tokenFields(wire);
    QueryOptions o = options(r);
    return consul(admin().tokenCreate(orEmpty(wire.description()), policies, o)
        .thenCompose(token -> created(r, token)));
  }

  private CompletableFuture<ApiReply> tokenRead(ApiRequest r, String accessor) {
    checkUuid("token", accessor);
    return consul(admin().tokenRead(accessor, options(r)).thenApply(found -> {
      AclTokenInfo t = found.orElseThrow(AclEndpoints::notFound);
      return indexed(json(r, tokenWire(t, null)), t.modifyIndex());
    }));
  }

  private CompletableFuture<ApiReply> tokenSelf(ApiRequest r, String rest) {
    return consul(admin().tokenReadSelf(options(r))
        .thenApply(t -> indexed(json(r, tokenWire(t, null)), t.modifyIndex())));
  }

  private CompletableFuture<ApiReply> tokenUpdate(ApiRequest r, String accessor) {
    checkUuid("token", accessor);
    AclTokenWire wire = Json.read(r.body(), Shape.of(AclTokenWire.class), TOKEN_DECODE);
    if (wire.accessorId() != null && !wire.accessorId().isEmpty()
        && !wire.accessorId().equalsIgnoreCase(accessor)) {
      throw ApiException.badRequest("Token Accessor ID in URL and payload do not match: \""
          + accessor + "\" and \"" + wire.accessorId() + "\"");
    }
    if (wire.secretId() != null && !wire.secretId().isEmpty()) {
      throw ApiException.badRequest("SecretID cannot be changed or given in an update on this"
          + " agent");
    }
    List<String> policies = tokenFields(wire);
    return consul(admin().tokenUpdate(accessor, orEmpty(wire.description()), policies,
        options(r)).thenApply(t -> json(r, tokenWire(t, null))));
  }

  private CompletableFuture<ApiReply> tokenDelete(ApiRequest r, String accessor) {
    checkUuid("token", accessor);
    // Consul answers true whether or not the token existed.
    return consul(admin().tokenDelete(accessor, options(r)).thenApply(existed -> json(r, true)));
  }

  private CompletableFuture<ApiReply> tokenList(ApiRequest r, String rest) {
    return consul(admin().tokenList(options(r)).thenApply(tokens -> {
      List<AclTokenWire> out = new ArrayList<>(tokens.size());
      long index = 1;
      for (AclTokenInfo t : tokens) {
        out.add(tokenWire(t, null));
        index = Math.max(index, t.modifyIndex());
      }
      return indexed(json(r, out), index);
    }));
  }

  /**
   * The reply to the request that made a token: its secret this once, and its indexes read
   * back with the new token itself (which may read itself), as Consul's reply carries them.
   */
  private CompletableFuture<ApiReply> created(ApiRequest r, AclToken token) {
    return admin().tokenReadSelf(withToken(token.revealSecretId())).handle((info, e) -> {
      AclTokenInfo t = e == null ? info : new AclTokenInfo(token.accessorId(),
          token.description(), token.policies(), token.createTime(), 0, 0);
      return json(r, tokenWire(t, token.revealSecretId()));
    });
  }

  /** The policies a token body names; every field this agent cannot honour is refused by name. */
  private static List<String> tokenFields(AclTokenWire wire) {
    refuseNonEmpty("Roles", wire.roles());
    refuseNonEmpty("ServiceIdentities", wire.serviceIdentities());
    refuseNonEmpty("NodeIdentities", wire.nodeIdentities());
    if (Boolean.TRUE.equals(wire.local())) {
      throw ApiException.badRequest("Local tokens are not supported by this agent: its tokens"
          + " are global");
    }
    if (wire.authMethod() != null && !wire.authMethod().isEmpty()) {
      throw ApiException.badRequest("AuthMethod is not supported by this agent: \""
          + wire.authMethod() + "\"");
    }
    if (wire.expirationTime() != null) {
      throw ApiException.badRequest("ExpirationTime is not supported by this agent: "
          + wire.expirationTime());
    }
    List<String> out = new ArrayList<>();
    for (AclLinkWire link : wire.policies() == null ? List.<AclLinkWire>of() : wire.policies()) {
      if (link.id() != null && !link.id().isEmpty()) {
        out.add(link.id());
      } else if (link.name() != null && !link.name().isEmpty()) {
        out.add(link.name());
      } else {
        throw ApiException.badRequest("a policy link must have an ID or a Name");
      }
    }
    return out;
  }

  private static void refuseNonEmpty(String field, List<?> values) {
    if (values != null && !values.isEmpty()) {
      throw ApiException.badRequest(field + " are not supported by this agent yet: " + values
          + "; link policies instead");
    }
  }

  private static AclTokenWire tokenWire(AclTokenInfo t, String secret) {
    List<AclLinkWire> links = new ArrayList<>(t.policies().size());
    for (AclPolicyLink l : t.policies()) {
      links.add(new AclLinkWire(l.id(), l.name()));
    }
    return new AclTokenWire(t.accessorId(), secret, t.description(),
        links.isEmpty() ? null : links, null, null, null, false, null, null, t.createTime(), null,
        t.createIndex() == 0 ? null : t.createIndex(),
        t.modifyIndex() == 0 ? null : t.modifyIndex());
  }

  // --- helpers --------------------------------------------------------------------------------

  /** An ACL read's reply: Consul's query headers; no index where the backend gives none. */
  private static ApiReply read(ApiRequest r, Object body) {
    return json(r, body).with("X-Consul-Knownleader", "true")
        .with("X-Consul-Lastcontact", "0")
        .with("X-Consul-Query-Backend", "blocking-query");
  }

  private static ApiReply indexed(ApiReply reply, long index) {
    return reply.with("X-Consul-Index", Long.toString(Math.max(1, index)))
        .with("X-Consul-Knownleader", "true")
        .with("X-Consul-Lastcontact", "0")
        .with("X-Consul-Query-Backend", "blocking-query");
  }

  private static ApiException notFound() {
    // Consul 1.10 answers an unknown policy or token as it answers an unknown request token.
    return new ApiException(403, AclNotFoundException.MESSAGE);
  }

  private static void checkUuid(String kind, String id) {
    if (id.length() != 36) {
      throw new ApiException(400, "failed acl " + kind + " lookup: index error: UUID must be 36"
          + " characters: \"" + Texts.quote(id) + "\"");
    }
    if (!UUID.matcher(id).matches()) {
      throw new ApiException(400, "failed acl " + kind + " lookup: index error: not a UUID: \""
          + Texts.quote(id) + "\"");
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * Consul's statuses for what the backend refuses: 401 without ACLs, Consul's rule text for
   * rules that do not parse, and the backend's message otherwise (see {@link Api#error}).
   */
  private static CompletableFuture<ApiReply> consul(CompletableFuture<ApiReply> reply) {
    return reply.handle((ok, e) -> {
      if (e == null) {
        return ok;
      }
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (t instanceof ConnectException c && !(c instanceof PermissionDeniedException)
          && !(c instanceof AclNotFoundException) && DISABLED.equals(c.getMessage())) {
        throw new ApiException(401, DISABLED);
      }
      if (t instanceof PolicyRulesException p) {
        // Consul: 500 with this text; the client's mistake, so 400.
        throw new ApiException(400, p.consulMessage());
      }
      throw e instanceof CompletionException ce ? ce : new CompletionException(t);
    });
  }

  /** Quotes what a client sent, bounded, for a message. */
  private static final class Texts {
    private Texts() {}

    static String quote(String s) {
      String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
      return cut.replace("\\", "\\\\").replace("\"", "\\\"");
    }
  }

  @Override
  public String toString() {
    return "ACL endpoints of " + agent;
  }
}
