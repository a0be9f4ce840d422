package dev.connect.agent;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaAdmin;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.core.AccessLevel;
import dev.connect.core.AclAdmin;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclResource;
import dev.connect.core.AclToken;
import dev.connect.core.AclTokenInfo;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionAdmin;
import dev.connect.core.IntentionTarget;
import dev.connect.core.Intentions;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.KeyType;
import dev.connect.core.Permission;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.SigningId;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * A second server behind the seam, written apart from {@code EmbeddedServer}: state in memory
 * under one lock, one index for everything, a root CA from {@link BuiltInCaProvider} and no
 * cross-signing. It proves that the agent's admin views need only the interfaces (issue 12).
 *
 * <p>Its ACL model is deliberately small: ACLs are on, every request needs a known token (an
 * unknown secret fails with {@link AclNotFoundException}, none with {@link
 * PermissionDeniedException}), and every known token may do everything. Blocking queries wait
 * for the next write; their {@code maxWait} is not honoured (a test fake).
 */
final class InMemoryServer implements CsrSigningBackend, IntentionAdmin, CaAdmin, AclAdmin {
  private final String datacenter;
  private final Clock clock;
  private final SigningId trustDomain = SigningId.of(UUID.randomUUID() + ".consul");
  private final Object lock = new Object();
  // Guarded by lock.
  private long index = 1;
  private CaConfiguration config = CaConfiguration.defaults();
  private BuiltInCaProvider ca;
  private final List<CaRoot> roots = new ArrayList<>();
  /** By source and destination; only those made by create have an ID, as in Consul. */
  private final Map<String, Intention> intentions = new LinkedHashMap<>();
  private final Map<String, AclPolicy> policies = new LinkedHashMap<>();
  private final Map<String, AclToken> tokensBySecret = new LinkedHashMap<>();
  private final Map<String, AclTokenInfo> tokens = new LinkedHashMap<>();
  private final List<Runnable> waiters = new ArrayList<>();

  /** A server whose initial management token has {@code managementSecret}. */
  InMemoryServer(String datacenter, Clock clock, String managementSecret) {
    this.datacenter = datacenter;
    this.clock = clock;
    policies.put(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.globalManagement());
    ca = BuiltInCaProvider.generate(trustDomain, config, clock);
    roots.add(root(ca.rootCertificate(), true));
    putToken(AclToken.builder().accessorId(UUID.randomUUID().toString())
        .secretId(managementSecret).description("Initial Management Token")
        .policies(List.of(AclPolicyLink.to(AclPolicy.globalManagement())))
        .createTime(clock.instant()).build());
  }

  // ---- the read seam

  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    return read(options, false, () -> new CaRoots(trustDomain.trustDomain(),
        roots.stream().filter(CaRoot::active).findFirst().orElseThrow().id(),
        List.copyOf(roots)));
  }

  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    return now(() -> {
      synchronized (lock) {
        caller(options);
        CertificateRequest request =
            CertificateRequest.validate(csrPem, trustDomain, datacenter, config);
        X509Certificate leaf = ca.sign(request);
        long at = ++index;
        return new QueryResult<>(new IssuedCertificate(leaf, List.of(), request.serviceId(), at,
            at), at);
      }
    });
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options) {
    return read(options, true, () -> Intentions.of(intentions.values())
        .matchByDestination(destination));
  }

  // ---- intentions

  @Override
  public CompletableFuture<Intention> intentionCreate(Intention intention, QueryOptions options) {
    return write(options, () -> {
      if (!intention.id().isEmpty()) {
        throw new IllegalArgumentException("ID must be empty when creating a new intention");
      }
      exact(intention.source(), intention.destination()).ifPresent(i -> {
        throw new IllegalArgumentException("duplicate intention found: " + i);
      });
      return store(UUID.randomUUID().toString(), intention);
    });
  }

  @Override
  public CompletableFuture<Intention> intentionUpdate(String id, Intention intention,
      QueryOptions options) {
    return write(options, () -> {
      Intention old = byId(id).orElseThrow(() -> new IllegalArgumentException(
          "Cannot modify non-existent intention: '" + id + "'"));
      exact(intention.source(), intention.destination()).filter(i -> !i.id().equals(id))
          .ifPresent(i -> {
            throw new IllegalArgumentException("duplicate intention found: " + i);
          });
      intentions.remove(key(old.source(), old.destination()));
      return store(id, intention);
    });
  }

  @Override
  public CompletableFuture<Intention> intentionUpsert(IntentionTarget source,
      IntentionTarget destination, IntentionAction action, String description,
      QueryOptions options) {
    return write(options, () -> store(exact(source, destination).map(Intention::id).orElse(""),
        Intention.builder(source, destination, action).description(description).build()));
  }

  @Override
  public CompletableFuture<Optional<Intention>> intentionGet(String id, QueryOptions options) {
    return locked(options, () -> byId(id));
  }

  @Override
  public CompletableFuture<Optional<Intention>> intentionGetExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return locked(options, () -> exact(source, destination));
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> intentions(QueryOptions options) {
    return read(options, true, () -> Intentions.of(intentions.values()).all());
  }

  @Override
  public CompletableFuture<Boolean> intentionDelete(String id, QueryOptions options) {
    return write(options, () -> byId(id)
        .map(i -> intentions.remove(key(i.source(), i.destination())) != null).orElse(false));
  }

  @Override
  public CompletableFuture<Boolean> intentionDeleteExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return write(options, () -> intentions.remove(key(source, destination)) != null);
  }

  @Override
  public CompletableFuture<Decision> intentionCheck(String source, String destination,
      QueryOptions options) {
    return locked(options, () -> Intentions.of(intentions.values()).check(source, destination,
        DefaultIntentionPolicy.ACLS_DEFAULT_DENY));
  }

  private Optional<Intention> exact(IntentionTarget source, IntentionTarget destination) {
    return Optional.ofNullable(intentions.get(key(source, destination)));
  }

  private Optional<Intention> byId(String id) {
    return id.isEmpty() ? Optional.empty()
        : intentions.values().stream().filter(i -> i.id().equals(id)).findFirst();
  }

  private static String key(IntentionTarget source, IntentionTarget destination) {
    return source + " => " + destination;
  }

  private Intention store(String id, Intention given) {
    Intention stored = Intention.builder(given.source(), given.destination(), given.action())
        .id(id).description(given.description()).meta(given.meta()).createIndex(index)
        .modifyIndex(index).build();
    intentions.put(key(given.source(), given.destination()), stored);
    return stored;
  }

  // ---- CA

  @Override
  public CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options) {
    return locked(options, () -> config);
  }

  @Override
  public CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration,
      QueryOptions options) {
    CompletableFuture<CaRoots> done = write(options, () -> {
      config = requireNonNull(configuration, "configuration");
      ca = ca.withConfiguration(configuration);
      return null;
    });
    return done.thenCompose(ignored -> roots(options)).thenApply(QueryResult::value);
  }

  @Override
  public CompletableFuture<CaRoots> caRotate(QueryOptions options) {
    return rotateTo(options, () -> BuiltInCaProvider.generate(trustDomain, config, clock));
  }

  @Override
  public CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options) {
    return rotateTo(options, () -> BuiltInCaProvider.load(privateKeyPem, rootCertPem, trustDomain,
        config, clock));
  }

  private CompletableFuture<CaRoots> rotateTo(QueryOptions options,
      Supplier<BuiltInCaProvider> next) {
    return write(options, () -> {
      ca = next.get();
      roots.replaceAll(r -> root(r.certificate(), false));
      roots.add(root(ca.rootCertificate(), true));
      return null;
    }).thenCompose(ignored -> roots(options)).thenApply(QueryResult::value);
  }

  private CaRoot root(X509Certificate cert, boolean active) {
    return new CaRoot(HexFormat.ofDelimiter(":").formatHex(sha1(cert)), "In-memory CA Root",
        cert.getSerialNumber(), HexFormat.ofDelimiter(":").formatHex(subjectKeyId(cert)),
        trustDomain.clusterId(), cert.getNotBefore().toInstant(),
        cert.getNotAfter().toInstant(), cert, List.of(), active, KeyType.EC, 256,
        Optional.empty(), index, index);
  }

  private static byte[] sha1(X509Certificate cert) {
    try {
      return java.security.MessageDigest.getInstance("SHA-1").digest(cert.getEncoded());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] subjectKeyId(X509Certificate cert) {
    try {
      ASN1OctetString value = (ASN1OctetString) JcaX509ExtensionUtils.parseExtensionValue(
          cert.getExtensionValue("2.5.29.14"));
      return SubjectKeyIdentifier.getInstance(value).getKeyIdentifier();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- ACL

  @Override
  public CompletableFuture<AclToken> aclBootstrap(QueryOptions options) {
    return CompletableFuture.failedFuture(new PermissionDeniedException(
        Permission.of(AclResource.ACL, AccessLevel.WRITE)));
  }

  @Override
  public CompletableFuture<AclPolicy> policyCreate(String name, String description,
      String rules, QueryOptions options) {
    return write(options, () -> {
      if (policies.values().stream().anyMatch(p -> p.name().equals(name))) {
        throw new IllegalArgumentException("A Policy with Name \"" + name + "\" already exists");
      }
      AclPolicy policy = AclPolicy.of(UUID.randomUUID().toString(), name, description, rules);
      policies.put(policy.id(), policy);
      return policy;
    });
  }

  @Override
  public CompletableFuture<Optional<AclPolicy>> policyRead(String idOrName,
      QueryOptions options) {
    return locked(options, () -> policy(idOrName));
  }

  @Override
  public CompletableFuture<List<AclPolicy>> policyList(QueryOptions options) {
    return locked(options, () -> policies.values().stream()
        .sorted(java.util.Comparator.comparing(AclPolicy::name)).toList());
  }

  @Override
  public CompletableFuture<AclPolicy> policyUpdate(String id, String name, String description,
      String rules, QueryOptions options) {
    return write(options, () -> {
      if (!policies.containsKey(id) || id.equals(AclPolicy.GLOBAL_MANAGEMENT_ID)) {
        throw new IllegalArgumentException("Cannot update policy \"" + id + "\"");
      }
      AclPolicy policy = AclPolicy.of(id, name, description, rules);
      policies.put(id, policy);
      return policy;
    });
  }

  @Override
  public CompletableFuture<Boolean> policyDelete(String idOrName, QueryOptions options) {
    return write(options, () -> policy(idOrName).map(p -> policies.remove(p.id()) != null)
        .orElse(false));
  }

  private Optional<AclPolicy> policy(String idOrName) {
    return Optional.ofNullable(policies.get(idOrName)).or(() -> policies.values().stream()
        .filter(p -> p.name().equals(idOrName)).findFirst());
  }

  @Override
  public CompletableFuture<AclToken> tokenCreate(String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return write(options, () -> putToken(AclToken.builder()
        .accessorId(UUID.randomUUID().toString()).secretId(UUID.randomUUID().toString())
        .description(description).policies(links(policyIdsOrNames))
        .createTime(clock.instant()).build()));
  }

  @Override
  public CompletableFuture<Optional<AclTokenInfo>> tokenRead(String accessorId,
      QueryOptions options) {
    return locked(options, () -> Optional.ofNullable(tokens.get(accessorId)));
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenReadSelf(QueryOptions options) {
    return locked(options, () -> tokens.get(caller(options).accessorId()));
  }

  @Override
  public CompletableFuture<List<AclTokenInfo>> tokenList(QueryOptions options) {
    return locked(options, () -> List.copyOf(tokens.values()));
  }

  @Override
  public CompletableFuture<AclTokenInfo> tokenUpdate(String accessorId, String description,
      List<String> policyIdsOrNames, QueryOptions options) {
    return write(options, () -> {
      AclTokenInfo old = tokens.get(accessorId);
      if (old == null) {
        throw new IllegalArgumentException("Cannot find token \"" + accessorId + "\"");
      }
      AclTokenInfo now = new AclTokenInfo(accessorId, description, links(policyIdsOrNames),
          old.createTime(), old.createIndex(), index);
      tokens.put(accessorId, now);
      return now;
    });
  }

  @Override
  public CompletableFuture<Boolean> tokenDelete(String accessorId, QueryOptions options) {
    return write(options, () -> {
      if (caller(options).accessorId().equals(accessorId)) {
        throw new IllegalArgumentException("Deletion of the request's authorization token is"
            + " not permitted");
      }
      tokensBySecret.values().removeIf(t -> t.accessorId().equals(accessorId));
      return tokens.remove(accessorId) != null;
    });
  }

  private AclToken putToken(AclToken token) {
    tokensBySecret.put(token.revealSecretId(), token);
    tokens.put(token.accessorId(), new AclTokenInfo(token.accessorId(), token.description(),
        token.policies(), token.createTime(), index, index));
    return token;
  }

  private List<AclPolicyLink> links(List<String> idsOrNames) {
    List<AclPolicyLink> links = new ArrayList<>();
    for (String ref : idsOrNames) {
      links.add(AclPolicyLink.to(policy(ref).orElseThrow(() ->
          new IllegalArgumentException("cannot find policy " + ref))));
    }
    return links;
  }

  // ---- plumbing

  /** The token of the request: none is refused, an unknown one is not found. Holds lock. */
  private AclToken caller(QueryOptions options) {
    requireNonNull(options, "options");
    String secret = options.tokenSecret().orElseThrow(() -> new PermissionDeniedException(
        Permission.of(AclResource.OPERATOR, AccessLevel.WRITE)));
    AclToken token = tokensBySecret.get(secret);
    if (token == null) {
      throw new AclNotFoundException();
    }
    return token;
  }

  private <T> CompletableFuture<T> locked(QueryOptions options, Supplier<T> call) {
    return now(() -> {
      synchronized (lock) {
        caller(options);
        return call.get();
      }
    });
  }

  private <T> CompletableFuture<T> write(QueryOptions options, Supplier<T> call) {
    List<Runnable> woken;
    CompletableFuture<T> result = now(() -> {
      synchronized (lock) {
        caller(options);
        index++;
        return call.get();
      }
    });
    synchronized (lock) {
      woken = List.copyOf(waiters);
      waiters.clear();
    }
    woken.forEach(Runnable::run);
    return result;
  }

  /** Answers now, or after the next write when the query blocks on the current index. */
  private <T> CompletableFuture<QueryResult<T>> read(QueryOptions options, boolean needsToken,
      Supplier<T> call) {
    requireNonNull(options, "options");
    synchronized (lock) {
      try {
        if (needsToken) {
          caller(options);
        }
        if (options.minIndex() < index) {
          return CompletableFuture.completedFuture(new QueryResult<>(call.get(), index));
        }
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      CompletableFuture<QueryResult<T>> later = new CompletableFuture<>();
      waiters.add(() -> later.completeAsync(() -> {
        synchronized (lock) {
          return new QueryResult<>(call.get(), index);
        }
      }, Runnable::run));
      return later;
    }
  }

  private static <T> CompletableFuture<T> now(Supplier<T> call) {
    try {
      return CompletableFuture.completedFuture(call.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public String toString() {
    return "InMemoryServer[" + trustDomain.trustDomain() + "]";
  }
}
