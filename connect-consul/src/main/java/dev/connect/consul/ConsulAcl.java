package dev.connect.consul;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.PolicyRules;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.QueryOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The ACL administration of {@link ConsulBackend}: Consul 1.10's {@code /v1/acl} endpoints and
 * the mappings from their wire records to the core types.
 *
 * <p>Consul answers {@code 403 ACL not found} both for a token or policy that does not exist and
 * for a request token it does not know. A read that gets it asks {@code /v1/acl/token/self} with
 * the same token: if that knows the token the thing read does not exist (empty), else the
 * request's token is unknown ({@link AclNotFoundException}). Consul answers 500 for a write it
 * refuses as invalid; those texts become {@link IllegalArgumentException}.
 */
final class ConsulAcl {
  private static final String POLICY = "/v1/acl/policy";
  private static final String TOKEN = "/v1/acl/token";

  /** Consul 1.10's texts for ACL writes it refuses as invalid (all answered with status 500). */
  private static final List<String> INVALID_PREFIXES = List.of("Invalid ", "No such ACL policy",
      "Cannot find token", "cannot find policy", "Delete operation not permitted",
      "Deletion of the request's authorization token is not permitted", "Changing the ",
      "Failed to parse ACL rules", "failed acl policy lookup: index error",
      "failed acl token lookup: index error", "1 error occurred");

  private final ConsulBackend backend;

  ConsulAcl(ConsulBackend backend) {
    this.backend = backend;
  }

  private ConsulHttp.Call call(String method, String path, QueryOptions options) {
    return backend.plain(backend.http().call(method, path), options);
  }

  /** Returns a write's response if it is 200; Consul's validation 500s are refusals of a value. */
  static ConsulHttp.Response aclWriteOk(ConsulHttp.Response r) {
    if (r.status() == 500) {
      String t = r.text();
      for (String prefix : INVALID_PREFIXES) {
        if (t.startsWith(prefix)) {
          throw new IllegalArgumentException(r.endpoint() + " answered 500: "
              + Texts.escape(t, 512));
        }
      }
    }
    return ConsulHttp.requireOk(r);
  }

  /** Decodes a body and maps it, any refusal of the mapping as a malformed body. */
  private static <W, T> T map(ConsulHttp.Response r, Shape<W> shape, Function<W, T> mapping) {
    W wire = r.decode(shape);
    if (wire == null) {
      throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: null");
    }
    try {
      return mapping.apply(wire);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
          + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Mappings

  static AclPolicy toPolicy(AclPolicyWire w) {
    String rules = Wire.orEmpty(w.rules());
    PolicyRules parsed;
    try {
      parsed = PolicyRules.parse(rules);
    } catch (PolicyRulesException e) {
      throw new IllegalArgumentException("policy " + w.id() + " has rules this client cannot"
          + " read: " + e.getMessage(), e);
    }
    return new AclPolicy(Wire.required(w.id(), "ID"), Wire.required(w.name(), "Name"),
        Wire.orEmpty(w.description()), parsed,
        w.datacenters() == null ? List.of() : w.datacenters());
  }

  static AclTokenInfo toTokenInfo(AclTokenWire w) {
    long create = Wire.orZero(w.createIndex());
    return new AclTokenInfo(Wire.required(w.accessorId(), "AccessorID"),
        Wire.orEmpty(w.description()), links(w), Wire.required(w.createTime(), "CreateTime"),
        create, w.modifyIndex() == null ? create : w.modifyIndex());
  }

  static AclToken toToken(AclTokenWire w) {
    return AclToken.builder().accessorId(Wire.required(w.accessorId(), "AccessorID"))
        .secretId(Wire.required(w.secretId(), "SecretID"))
        .description(Wire.orEmpty(w.description())).policies(links(w))
        .local(Boolean.TRUE.equals(w.local()))
        .createTime(Wire.required(w.createTime(), "CreateTime")).build();
  }

  private static List<AclPolicyLink> links(AclTokenWire w) {
    List<AclPolicyLink> out = new ArrayList<>();
    for (AclLinkWire l : w.policies() == null ? List.<AclLinkWire>of() : w.policies()) {
      out.add(new AclPolicyLink(Wire.required(l.id(), "Policies[].ID"), Wire.orEmpty(l.name())));
    }
    return out;
  }

  /** The links a token write sends: an ID for what has the form of one, else a name. */
  private static List<Map<String, String>> linkBodies(List<String> idsOrNames) {
    List<Map<String, String>> out = new ArrayList<>();
    for (String s : idsOrNames) {
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("a policy ID or name must not be "
            + (s == null ? "null" : "empty"));
      }
      out.add(Map.of(isUuid(s) ? "ID" : "Name", s));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Bootstrap and policies

  CompletableFuture<AclToken> bootstrap(QueryOptions options) {
    return call("PUT", "/v1/acl/bootstrap", options).send().thenApply(ConsulAcl::aclWriteOk)
        .thenApply(r -> map(r, Shape.of(AclTokenWire.class), ConsulAcl::toToken));
  }

  CompletableFuture<AclPolicy> policyCreate(String name, String description, String rules,
      QueryOptions options) {
    try {
      PolicyRules.parse(rules); // PolicyRulesException before anything is sent
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("PUT", POLICY, options).body(policyBody(null, name, description, rules)).send()
        .thenApply(ConsulAcl::aclWriteOk)
        .thenApply(r -> map(r, Shape.of(AclPolicyWire.class), ConsulAcl::toPolicy));
  }

  CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options) {
    try {
      PolicyRules.parse(rules);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!isUuid(id)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "no policy has the ID \"" + Texts.escape(id, 64) + "\": a policy ID is a UUID"));
    }
    return call("PUT", POLICY + "/" + segment(id), options)
        .body(policyBody(id, name, description, rules)).send().thenApply(ConsulAcl::aclWriteOk)
        .thenApply(r -> map(r, Shape.of(AclPolicyWire.class), ConsulAcl::toPolicy));
  }

  private static byte[] policyBody(String id, String name, String description, String rules) {
    Map<String, Object> b = new LinkedHashMap<>();
    if (id != null) {
      b.put("ID", id);
    }
    b.put("Name", name);
    b.put("Description", description);
    b.put("Rules", rules);
    return ConsulJson.encode(b, JsonStyle.COMPACT);
  }

  CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName, QueryOptions options) {
    CompletableFuture<Optional<AclPolicy>> byId = isUuid(idOrName)
        ? readOptional(call("GET", POLICY + "/" + segment(idOrName), options),
            Shape.of(AclPolicyWire.class), ConsulAcl::toPolicy)
        : CompletableFuture.completedFuture(Optional.empty());
    return byId.thenCompose(found -> found.isPresent() || !AclPolicy.isValidName(idOrName)
        ? CompletableFuture.completedFuture(found)
        : readOptional(call("GET", POLICY + "/name/" + segment(idOrName), options),
            Shape.of(AclPolicyWire.class), ConsulAcl::toPolicy))
        .thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found)
            : requireKnownToken(options).thenApply(known -> found));
  }

  CompletableFuture<List<AclPolicy>> policyList(QueryOptions options) {
    return call("GET", "/v1/acl/policies", options).ok()
        .thenApply(r -> r.decode(Shape.listOf(AclPolicyListEntryWire.class)))
        .thenCompose(entries -> {
          // The list leaves out the rules: read each policy (one dropped meanwhile is left out).
          List<CompletableFuture<Optional<AclPolicy>>> reads = new ArrayList<>();
          for (AclPolicyListEntryWire e : entries == null ? List.<AclPolicyListEntryWire>of()
              : entries) {
            if (e.id() == null || !isUuid(e.id())) {
              return CompletableFuture.failedFuture(new ConsulHttpException("GET "
                  + backend.address().resolve("/v1/acl/policies"), 200,
                  "malformed body: a policy without a valid ID"));
            }
            reads.add(readOptional(call("GET", POLICY + "/" + e.id(), options),
                Shape.of(AclPolicyWire.class), ConsulAcl::toPolicy));
          }
          return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<AclPolicy> out = new ArrayList<>();
            for (CompletableFuture<Optional<AclPolicy>> f : reads) {
              f.join().ifPresent(out::add);
            }
            out.sort(Comparator.comparing(AclPolicy::name));
            return List.copyOf(out);
          });
        });
  }

  CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options) {
    // Consul answers true whether or not it existed, and deletes by ID only: look first.
    return policyRead(idOrName, options).thenCompose(found -> found.isEmpty()
        ? CompletableFuture.completedFuture(false)
        : call("DELETE", POLICY + "/" + segment(found.get().id()), options).send()
            .thenApply(ConsulAcl::aclWriteOk).thenApply(r -> true));
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens

  CompletableFuture<AclToken> tokenCreate(String description, List<String> policyIdsOrNames,
      QueryOptions options) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("Description", description);
    try {
      b.put("Policies", linkBodies(policyIdsOrNames));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("PUT", TOKEN, options).body(ConsulJson.encode(b, JsonStyle.COMPACT)).send()
        .thenApply(ConsulAcl::aclWriteOk)
        .thenApply(r -> map(r, Shape.of(AclTokenWire.class), ConsulAcl::toToken));
  }

  CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId, QueryOptions options) {
    CompletableFuture<Optional<AclTokenInfo>> read = isUuid(accessorId)
        ? readOptional(call("GET", TOKEN + "/" + segment(accessorId), options),
            Shape.of(AclTokenWire.class), ConsulAcl::toTokenInfo)
        : CompletableFuture.completedFuture(Optional.empty());
    return read.thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found)
        : requireKnownToken(options).thenApply(known -> found));
  }

  CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options) {
    return call("GET", TOKEN + "/self", options).ok()
        .thenApply(r -> map(r, Shape.of(AclTokenWire.class), ConsulAcl::toTokenInfo));
  }

  CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options) {
    return call("GET", "/v1/acl/tokens", options).ok().thenApply(r -> {
      List<AclTokenWire> wires = r.decode(Shape.listOf(AclTokenWire.class));
      List<AclTokenInfo> out = new ArrayList<>();
      for (AclTokenWire w : wires == null ? List.<AclTokenWire>of() : wires) {
        try {
          out.add(toTokenInfo(w));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
              + e.getMessage(), e);
        }
      }
      // Consul lists in its index's order; the interface promises oldest first.
      out.sort(Comparator.comparingLong(AclTokenInfo::createIndex));
      return List.copyOf(out);
    });
  }

  CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    if (!isUuid(accessorId)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "no token has the accessor ID \"" + Texts.escape(accessorId, 64)
              + "\": an accessor ID is a UUID"));
    }
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("AccessorID", accessorId);
    b.put("Description", description);
    try {
      b.put("Policies", linkBodies(policyIdsOrNames));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("PUT", TOKEN + "/" + segment(accessorId), options)
        .body(ConsulJson.encode(b, JsonStyle.COMPACT)).send().thenApply(ConsulAcl::aclWriteOk)
        .thenApply(r -> map(r, Shape.of(AclTokenWire.class), ConsulAcl::toTokenInfo));
  }

  CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options) {
    // Consul answers true whether or not it existed: look first (a concurrent writer can race).
    return tokenRead(accessorId, options).thenCompose(found -> found.isEmpty()
        ? CompletableFuture.completedFuture(false)
        : call("DELETE", TOKEN + "/" + segment(accessorId), options).send()
            .thenApply(ConsulAcl::aclWriteOk).thenApply(r -> true));
  }

  // ---------------------------------------------------------------------------------------------

  /** A read whose {@code 403 ACL not found} may mean "no such thing": empty then, for now. */
  private static <W, T> CompletableFuture<Optional<T>> readOptional(ConsulHttp.Call call,
      Shape<W> shape, Function<W, T> mapping) {
    return call.send().thenApply(r -> {
      if (r.status() == 403 && r.text().startsWith(AclNotFoundException.MESSAGE)) {
        return Optional.<T>empty();
      }
      return Optional.of(map(ConsulHttp.requireOk(r), shape, mapping));
    });
  }

  /**
   * Completes normally if Consul knows the request's token, else with {@link
   * AclNotFoundException}: tells "the token is unknown" from "the thing read is missing".
   */
  private CompletableFuture<Void> requireKnownToken(QueryOptions options) {
    return tokenReadSelf(options).thenApply(self -> null);
  }

  /** Consul's {@code uuid.ParseUUID} form: 8-4-4-4-12 hex digits. */
  static boolean isUuid(String s) {
    return s.length() == 36 && s.matches("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}");
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
