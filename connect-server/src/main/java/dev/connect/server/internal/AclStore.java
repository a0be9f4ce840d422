package dev.connect.server.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclAuthorizer;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclPolicy;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclToken;
import dev.connect.core.ConnectException;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.PolicyRules;
import dev.connect.core.PolicyRulesException;
import dev.connect.core.AclTokenInfo;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable ACL state of the embedded server: policies, tokens and whether ACLs were
 * bootstrapped, in {@code acl.json} (checksummed, owner only), with an immutable {@link State}
 * that resolves a token secret to its {@link AclAuthorizer} without locking.
 *
 * <p><b>Secrets at rest.</b> A token's secret is never stored: the file holds the SHA-256 of its
 * UTF-8 bytes, and a presented secret is found by its hash, then confirmed with {@link
 * MessageDigest#isEqual}. A fast, unsalted hash is enough because the server's secrets are random
 * UUIDs with 122 random bits, which no dictionary or brute force reaches; it would not be for
 * passwords. (A configured initial management secret is as strong as the operator made it.) The
 * anonymous token's secret is the public word {@code anonymous}.
 *
 * <p><b>Authorizers.</b> Every token's {@link AclAuthorizer} is computed once per ACL change,
 * when the new {@link State} is built, never per request.
 */
public final class AclStore {
  /** The table every ACL write bumps. */
  public static final String TABLE = "acl";
  /** The file that holds the ACL state. */
  public static final String FILE = "acl.json";
  /** The description Consul gives the token {@code acl bootstrap} makes. */
  public static final String BOOTSTRAP_DESCRIPTION = "Bootstrap Token (Global Management)";
  /** The description of the token made from the configured initial management secret. */
  public static final String INITIAL_MANAGEMENT_DESCRIPTION = "Initial Management Token";

  private static final Logger log = LoggerFactory.getLogger(AclStore.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  /**
   * What {@code acl.json} holds.
   *
   * @param bootstrapIndex the index at which ACLs were bootstrapped, 0 if they were not
   * @param policies the policies, without the builtin {@code global-management}
   * @param tokens the tokens, oldest first
   * @param acls whether ACLs are on in this directory and their default policy; {@code null} in
   *     a file an earlier build wrote, until an opener records it (see {@link #settle})
   */
  public record Persisted(long bootstrapIndex, List<StoredPolicy> policies,
      List<StoredToken> tokens, Mode acls) {
    /** Copies the lists. */
    public Persisted {
      policies = List.copyOf(policies);
      tokens = List.copyOf(tokens);
    }

    /** Returns a copy with these contents and the same recorded mode. */
    Persisted with(long bootstrapIndex, List<StoredPolicy> policies, List<StoredToken> tokens) {
      return new Persisted(bootstrapIndex, policies, tokens, acls);
    }
  }

  /**
   * What a data directory records about its ACLs, which every opener then enforces.
   *
   * @param enabled whether ACLs are enforced
   * @param defaultPolicy {@code allow} or {@code deny} when enabled; {@code null} when not
   */
  public record Mode(boolean enabled, String defaultPolicy) {
    /** Validates. */
    public Mode {
      if (enabled) {
        AclDefaultPolicy.parse(requireNonNull(defaultPolicy, "defaultPolicy"));
      } else if (defaultPolicy != null) {
        throw new IllegalArgumentException("defaultPolicy is recorded only with ACLs enabled: "
            + defaultPolicy);
      }
    }

    static Mode of(boolean enabled, AclDefaultPolicy policy) {
      return new Mode(enabled, enabled ? policy.text() : null);
    }

    /** Returns the default policy; {@code allow} when ACLs are off, where it decides nothing. */
    public AclDefaultPolicy policy() {
      return enabled ? AclDefaultPolicy.parse(defaultPolicy) : AclDefaultPolicy.ALLOW;
    }

    /** Says it as the error messages do: {@code ACLs enabled, default policy deny}. */
    @Override
    public String toString() {
      return enabled ? "ACLs enabled, default policy " + defaultPolicy : "ACLs disabled";
    }
  }

  /**
   * One policy.
   *
   * @param id the UUID
   * @param name the unique name
   * @param description free text
   * @param rules the rules text, HCL or JSON
   * @param createIndex index of its creation
   * @param modifyIndex index of its last change
   */
  public record StoredPolicy(String id, String name, String description, String rules,
      long createIndex, long modifyIndex) {}

  /**
   * One token, without its secret.
   *
   * @param accessorId the UUID that names it
   * @param secretSha256 lowercase hex SHA-256 of the secret's UTF-8 bytes
   * @param description free text
   * @param policyIds the IDs of its policies
   * @param createTime ISO-8601 creation time
   * @param createIndex index of its creation
   * @param modifyIndex index of its last change
   */
  public record StoredToken(String accessorId, String secretSha256, String description,
      List<String> policyIds, String createTime, long createIndex, long modifyIndex) {
    /** Copies the list. */
    public StoredToken {
      policyIds = List.copyOf(policyIds);
    }

    /** Never shows the hash. */
    @Override
    public String toString() {
      return "StoredToken[accessor=" + accessorId + "]";
    }
  }

  private final Path file;
  private final IndexFloor floor;
  private final Clock clock;
  private volatile AclDefaultPolicy defaultPolicy;
  private final boolean existed;
  private volatile State state;

  private AclStore(Path file, IndexFloor floor, Clock clock, AclDefaultPolicy defaultPolicy,
      boolean existed, State state) {
    this.file = file;
    this.floor = floor;
    this.clock = clock;
    this.defaultPolicy = defaultPolicy;
    this.existed = existed;
    this.state = state;
  }

  /**
   * Loads the ACL state of {@code directory}, empty if it has no file, and tells {@code floor}
   * the indexes it carries. The default policy applies until {@link #settle} decides the one in
   * force. Whether a missing file is acceptable is not decided here but by
   * {@link CaStore#open}, which knows whether the directory is new; see {@link #initialFile()}.
   *
   * @throws DataDirectoryException if the file is corrupt or holds invalid policies or tokens
   * @throws IOException if it cannot be read
   */
  public static AclStore load(Path directory, IndexFloor floor, Clock clock,
      AclDefaultPolicy defaultPolicy) throws IOException {
    requireNonNull(floor, "floor");
    requireNonNull(clock, "clock");
    requireNonNull(defaultPolicy, "defaultPolicy");
    Path file = requireNonNull(directory, "directory").resolve(FILE);
    Optional<Persisted> stored;
    try {
      stored = ChecksummedFile.readIfExists(file, Persisted.class, MAPPER);
    } catch (CorruptStateException e) {
      throw new DataDirectoryException(file, "corrupt ACL file (" + e.problem()
          + "); restore it from a backup", e);
    }
    Persisted persisted = stored.orElse(new Persisted(0, List.of(), List.of(), null));
    floor.observe(persisted.bootstrapIndex());
    persisted.policies().forEach(p -> floor.observe(p.modifyIndex()));
    persisted.tokens().forEach(t -> floor.observe(t.modifyIndex()));
    State state;
    try {
      state = new State(persisted, defaultPolicy);
    } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
      // Messages of our own validation; no secret is ever in the file, so none in the message.
      throw new DataDirectoryException(file, "holds invalid ACL state: " + e.getMessage(), e);
    }
    return new AclStore(file, floor, clock, defaultPolicy, stored.isPresent(), state);
  }

  /** Returns {@code acl.json} as a file every initialized data directory holds. */
  public InitialFile initialFile() {
    return new InitialFile() {
      @Override
      public Path path() {
        return file;
      }

      @Override
      public boolean existed() {
        return existed;
      }

      @Override
      public String lostWithout() {
        return "every ACL token and policy would be gone, and ACLs could be bootstrapped again";
      }

      @Override
      public void writeEmpty() throws IOException {
        Persisted empty = new Persisted(0, List.of(), List.of(), null);
        ChecksummedFile.write(file, empty, MAPPER, FileMode.OWNER_ONLY);
        state = new State(empty, defaultPolicy);
      }
    };
  }

  /** Returns the current state; never blocks. */
  public State state() {
    return state;
  }

  /**
   * Decides whether ACLs are on and their default policy from what the directory records and
   * what the opener asked for, records them if they were not, and makes sure the anonymous token
   * and, when a secret is given at bootstrap, a management token with it exist (as Consul does
   * with {@code acl.tokens.initial_management}); one write, and only of what is missing.
   *
   * <p>The rules: a directory that records its mode keeps it, and an opener that asks for another
   * ACL setting or default policy is refused, naming both; ACLs may be turned on for a directory
   * that records them off only together with an initial management token, whose token is created
   * in the same write. A directory that records nothing (new, or written by an earlier build)
   * records the opener's mode, ACLs off unless asked, but one whose ACLs were used (tokens,
   * policies or a bootstrap) must be opened with ACLs on. An initial management secret applies
   * only while ACLs are not bootstrapped: afterwards it must name an existing token, since a
   * second management token is never created from it.
   *
   * @param enabled the opener's {@code aclsEnabled}, empty if not set
   * @param policy the opener's {@code aclDefaultPolicy}, empty if not set
   * @param initialManagementSecret the opener's {@code initialManagementToken}, empty if not set
   * @return the mode in force
   * @throws DataDirectoryException if the opener's settings disagree with the recorded ones
   * @throws ConnectException if the file cannot be written
   */
  public Mode settle(Optional<Boolean> enabled, Optional<AclDefaultPolicy> policy,
      Optional<String> initialManagementSecret) throws DataDirectoryException {
    requireNonNull(enabled, "enabled");
    requireNonNull(policy, "policy");
    requireNonNull(initialManagementSecret, "initialManagementSecret");
    State current = state;
    Mode recorded = current.persisted.acls();
    Mode target = decide(current, recorded, enabled, policy, initialManagementSecret);
    defaultPolicy = target.policy();
    if (!target.enabled()) {
      if (recorded == null) {
        floor.write(w -> {
          Persisted p = state.persisted;
          publish(w, new Persisted(p.bootstrapIndex(), p.policies(), p.tokens(), target));
          return null;
        });
      } else {
        state = new State(current.persisted, defaultPolicy);
      }
      return target;
    }
    floor.write(w -> {
      State s = state;
      boolean needAnonymous = !s.tokensByAccessor.containsKey(AclToken.ANONYMOUS_ACCESSOR_ID);
      boolean needManagement = initialManagementSecret.isPresent()
          && s.find(initialManagementSecret.get()).isEmpty();
      if (!needAnonymous && !needManagement && target.equals(recorded)) {
        state = new State(s.persisted, defaultPolicy);
        return null;
      }
      long at = w.index();
      String now = clock.instant().toString();
      List<StoredToken> tokens = new ArrayList<>(s.persisted.tokens());
      long bootstrapIndex = s.persisted.bootstrapIndex();
      if (needAnonymous) {
        tokens.add(new StoredToken(AclToken.ANONYMOUS_ACCESSOR_ID,
            hashHex(AclToken.ANONYMOUS_SECRET_ID), "Anonymous Token", List.of(), now, at, at));
      }
      if (needManagement) {
        String accessor = newAccessorId(s);
        tokens.add(new StoredToken(accessor, hashHex(initialManagementSecret.get()),
            INITIAL_MANAGEMENT_DESCRIPTION, List.of(AclPolicy.GLOBAL_MANAGEMENT_ID), now, at,
            at));
        bootstrapIndex = at;
        log.info("created the initial management token, accessor {}", accessor);
      }
      if (!target.equals(recorded)) {
        log.info("{}: recorded {}", file.getParent(), target);
      }
      publish(w, new Persisted(bootstrapIndex, s.persisted.policies(), tokens, target));
      return null;
    });
    return target;
  }

  private Mode decide(State current, Mode recorded, Optional<Boolean> enabled,
      Optional<AclDefaultPolicy> policy, Optional<String> secret) throws DataDirectoryException {
    Path directory = file.getParent();
    long bootstrapIndex = current.persisted.bootstrapIndex();
    boolean used = bootstrapIndex > 0 || !current.persisted.policies().isEmpty()
        || current.persisted.tokens().stream()
            .anyMatch(t -> !t.accessorId().equals(AclToken.ANONYMOUS_ACCESSOR_ID));
    Mode target;
    if (recorded == null) {
      boolean on = enabled.orElse(false);
      if (!on && used) {
        throw new DataDirectoryException(directory, "holds ACL tokens or policies but records"
            + " no ACL mode (it was written by an earlier build), and aclsEnabled is "
            + enabled.map(String::valueOf).orElse("not set") + ". Open it once with ACLs"
            + " enabled and the default policy its applications use (aclsEnabled(true) and"
            + " aclDefaultPolicy, or connect's --acls and --default-policy), which are then"
            + " recorded and enforced on every open");
      }
      target = Mode.of(on, policy.orElse(AclDefaultPolicy.ALLOW));
    } else if (recorded.enabled()) {
      if (enabled.isPresent() && !enabled.get()) {
        throw disagrees(directory, recorded, "aclsEnabled was set to false");
      }
      if (policy.isPresent() && policy.get() != recorded.policy()) {
        throw disagrees(directory, recorded,
            "aclDefaultPolicy was set to " + policy.get().text());
      }
      target = recorded;
    } else if (enabled.orElse(false)) {
      if (secret.isEmpty()) {
        throw disagrees(directory, recorded, "aclsEnabled was set to true; ACLs are turned on"
            + " for an existing data directory only together with initialManagementToken,"
            + " whose token is created in the same write");
      }
      target = Mode.of(true, policy.orElse(AclDefaultPolicy.ALLOW));
    } else {
      target = recorded;
    }
    if (!target.enabled()) {
      if (policy.isPresent()) {
        throw disagrees(directory, target, "aclDefaultPolicy was set to " + policy.get().text()
            + ", which applies only with ACLs enabled");
      }
      if (secret.isPresent()) {
        throw disagrees(directory, target,
            "initialManagementToken was set, which applies only with ACLs enabled");
      }
    } else if (secret.isPresent() && bootstrapIndex > 0 && current.find(secret.get()).isEmpty()) {
      throw new DataDirectoryException(directory, "initialManagementToken applies only when ACLs"
          + " are bootstrapped; they were at index " + bootstrapIndex + ", and no token has the"
          + " given secret. A second management token is never made from it: remove the option,"
          + " or give the secret of the existing one");
    }
    return target;
  }

  private static DataDirectoryException disagrees(Path directory, Mode recorded, String given) {
    return new DataDirectoryException(directory, "records " + recorded + ", but " + given);
  }

  /**
   * Creates the first management token, once.
   *
   * @return the token, with its secret
   * @throws PermissionDeniedException {@code Permission denied: ACL bootstrap no longer allowed
   *     (reset index: <n>)} once ACLs were bootstrapped
   * @throws ConnectException if the file cannot be written
   */
  public AclToken bootstrap() {
    return floor.write(w -> {
      State s = state;
      if (s.persisted.bootstrapIndex() > 0) {
        throw PermissionDeniedException.withCause("ACL bootstrap no longer allowed (reset index: "
            + s.persisted.bootstrapIndex() + ")");
      }
      long at = w.index();
      AclToken token = newToken(s, BOOTSTRAP_DESCRIPTION,
          List.of(AclPolicyLink.to(AclPolicy.globalManagement())));
      List<StoredToken> tokens = new ArrayList<>(s.persisted.tokens());
      tokens.add(stored(token, at));
      publish(w, s.persisted.with(at, s.persisted.policies(), tokens));
      log.info("ACLs bootstrapped: management token, accessor {}", token.accessorId());
      return token;
    });
  }

  /**
   * Creates a policy.
   *
   * @return the policy
   * @throws IllegalArgumentException if the name is not valid or taken ({@code Invalid Policy: A
   *     Policy with Name "web-write" already exists})
   * @throws PolicyRulesException if the rules do not parse
   * @throws ConnectException if the file cannot be written
   */
  public AclPolicy createPolicy(String name, String description, String rules) {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    // Consul's order of checks: the name, then its uniqueness, then the rules.
    new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, name, description, PolicyRules.empty(),
        List.of());
    return floor.write(w -> {
      State s = state;
      if (s.policiesByName.containsKey(name)) {
        throw new IllegalArgumentException(
            "Invalid Policy: A Policy with Name \"" + name + "\" already exists");
      }
      PolicyRules parsed = PolicyRules.parse(rules);
      String id = UUID.randomUUID().toString();
      while (s.policiesById.containsKey(id)) {
        id = UUID.randomUUID().toString();
      }
      AclPolicy policy = new AclPolicy(id, name, description, parsed, List.of());
      long at = w.index();
      List<StoredPolicy> policies = new ArrayList<>(s.persisted.policies());
      policies.add(new StoredPolicy(id, name, description, rules, at, at));
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), policies, s.persisted.tokens()));
      return policy;
    });
  }

  /**
   * Replaces a policy's name, description and rules; its ID and the tokens' links stay.
   *
   * @return the policy as it is now
   * @throws IllegalArgumentException if no policy has this ID, the name is not valid or taken
   *     by another policy, or the policy is the builtin {@code global-management}
   * @throws PolicyRulesException if the rules do not parse
   * @throws ConnectException if the file cannot be written
   */
  public AclPolicy updatePolicy(String id, String name, String description, String rules) {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(rules, "rules");
    new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, name, description, PolicyRules.empty(),
        List.of());
    return floor.write(w -> {
      State s = state;
      if (!s.policiesById.containsKey(id)) {
        throw new IllegalArgumentException("Cannot find policy \"" + id + "\"");
      }
      if (id.equals(AclPolicy.GLOBAL_MANAGEMENT_ID)) {
        throw new IllegalArgumentException(
            "Update operation not permitted on the builtin global-management policy");
      }
      AclPolicy byName = s.policiesByName.get(name);
      if (byName != null && !byName.id().equals(id)) {
        throw new IllegalArgumentException(
            "Invalid Policy: A Policy with Name \"" + name + "\" already exists");
      }
      PolicyRules.parse(rules);
      long at = w.index();
      List<StoredPolicy> policies = new ArrayList<>();
      for (StoredPolicy p : s.persisted.policies()) {
        policies.add(!p.id().equals(id) ? p
            : new StoredPolicy(id, name, description, rules, p.createIndex(), at));
      }
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), policies, s.persisted.tokens()));
      return state.policiesById.get(id);
    });
  }

  /**
   * Deletes a policy, by ID or name, and removes the links tokens had to it.
   *
   * @return whether it existed
   * @throws IllegalArgumentException for the builtin {@code global-management} policy
   * @throws ConnectException if the file cannot be written
   */
  public boolean deletePolicy(String idOrName) {
    requireNonNull(idOrName, "idOrName");
    return floor.write(w -> {
      State s = state;
      Optional<AclPolicy> policy = s.policy(idOrName);
      if (policy.isEmpty()) {
        return false;
      }
      String id = policy.get().id();
      if (id.equals(AclPolicy.GLOBAL_MANAGEMENT_ID)) {
        throw new IllegalArgumentException(
            "Delete operation not permitted on the builtin global-management policy");
      }
      long at = w.index();
      List<StoredPolicy> policies = new ArrayList<>(s.persisted.policies());
      policies.removeIf(p -> p.id().equals(id));
      List<StoredToken> tokens = new ArrayList<>();
      for (StoredToken t : s.persisted.tokens()) {
        if (t.policyIds().contains(id)) {
          List<String> ids = new ArrayList<>(t.policyIds());
          ids.remove(id);
          tokens.add(new StoredToken(t.accessorId(), t.secretSha256(), t.description(), ids,
              t.createTime(), t.createIndex(), at));
        } else {
          tokens.add(t);
        }
      }
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), policies, tokens));
      return true;
    });
  }

  /**
   * Creates a token with a new random accessor and secret.
   *
   * @param policies policy IDs or names
   * @return the token, with its secret
   * @throws IllegalArgumentException if a policy does not exist
   * @throws ConnectException if the file cannot be written
   */
  public AclToken createToken(String description, List<String> policies) {
    requireNonNull(description, "description");
    requireNonNull(policies, "policies");
    return floor.write(w -> {
      State s = state;
      AclToken token = newToken(s, description, s.links(policies));
      long at = w.index();
      List<StoredToken> tokens = new ArrayList<>(s.persisted.tokens());
      tokens.add(stored(token, at));
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), s.persisted.policies(), tokens));
      return token;
    });
  }

  /**
   * Replaces a token's description and policies; its secret stays.
   *
   * @param policies policy IDs or names
   * @return the token as it is now
   * @throws IllegalArgumentException if the token or a policy does not exist
   * @throws ConnectException if the file cannot be written
   */
  public AclTokenInfo updateToken(String accessorId, String description, List<String> policies) {
    requireNonNull(accessorId, "accessorId");
    requireNonNull(description, "description");
    requireNonNull(policies, "policies");
    return floor.write(w -> {
      State s = state;
      AclTokenInfo existing = s.tokensByAccessor.get(accessorId);
      if (existing == null) {
        throw new IllegalArgumentException("Cannot find token \"" + accessorId + "\"");
      }
      List<AclPolicyLink> links = s.links(policies);
      if (existing.description().equals(description) && existing.policies().equals(links)) {
        return existing;
      }
      long at = w.index();
      List<StoredToken> tokens = new ArrayList<>();
      for (StoredToken t : s.persisted.tokens()) {
        tokens.add(!t.accessorId().equals(accessorId) ? t
            : new StoredToken(t.accessorId(), t.secretSha256(), description,
                links.stream().map(AclPolicyLink::id).toList(), t.createTime(),
                t.createIndex(), at));
      }
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), s.persisted.policies(), tokens));
      return state.tokensByAccessor.get(accessorId);
    });
  }

  /**
   * Deletes a token.
   *
   * @param callerAccessorId the accessor of the token making the request, which may not delete
   *     itself
   * @return whether it existed
   * @throws IllegalArgumentException for the anonymous token or the caller's own
   * @throws ConnectException if the file cannot be written
   */
  public boolean deleteToken(String accessorId, Optional<String> callerAccessorId) {
    requireNonNull(accessorId, "accessorId");
    requireNonNull(callerAccessorId, "callerAccessorId");
    if (accessorId.equals(AclToken.ANONYMOUS_ACCESSOR_ID)) {
      throw new IllegalArgumentException(
          "Delete operation not permitted on the anonymous token");
    }
    if (callerAccessorId.isPresent() && callerAccessorId.get().equals(accessorId)) {
      throw new IllegalArgumentException(
          "Deletion of the request's authorization token is not permitted");
    }
    return floor.write(w -> {
      State s = state;
      if (!s.tokensByAccessor.containsKey(accessorId)) {
        return false;
      }
      w.index();
      List<StoredToken> tokens = new ArrayList<>(s.persisted.tokens());
      tokens.removeIf(t -> t.accessorId().equals(accessorId));
      publish(w, s.persisted.with(s.persisted.bootstrapIndex(), s.persisted.policies(), tokens));
      return true;
    });
  }

  private AclToken newToken(State s, String description, List<AclPolicyLink> links) {
    String secret = UUID.randomUUID().toString();
    while (s.bySecretHash.containsKey(hashHex(secret))) {
      secret = UUID.randomUUID().toString();
    }
    return AclToken.builder().accessorId(newAccessorId(s)).secretId(secret)
        .description(description).policies(links).createTime(clock.instant()).build();
  }

  private static StoredToken stored(AclToken token, long at) {
    return new StoredToken(token.accessorId(), hashHex(token.revealSecretId()),
        token.description(), token.policies().stream().map(AclPolicyLink::id).toList(),
        token.createTime().toString(), at, at);
  }

  private static String newAccessorId(State s) {
    String id = UUID.randomUUID().toString();
    while (s.tokensByAccessor.containsKey(id) || id.equals(AclToken.ANONYMOUS_ACCESSOR_ID)) {
      id = UUID.randomUUID().toString();
    }
    return id;
  }

  private void publish(IndexFloor.Write w, Persisted next) {
    State built = new State(next, defaultPolicy);
    try {
      ChecksummedFile.write(file, next, MAPPER, FileMode.OWNER_ONLY);
    } catch (IOException e) {
      throw new ConnectException("cannot write the ACL state to " + file
          + "; nothing changed: " + e.getMessage(), e);
    }
    state = built;
    w.commit(TABLE);
  }

  static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static String hashHex(String secret) {
    return HEX.formatHex(hash(secret));
  }

  /** A token found by its secret: its hash, what is known of it, and its authorizer. */
  private record Resolved(byte[] hash, AclTokenInfo token, AclAuthorizer authorizer) {}

  /**
   * One immutable view of the ACL state, with every token's authorizer resolved. Shared by all
   * readers without locking.
   */
  public static final class State {
    private final Persisted persisted;
    private final Map<String, AclPolicy> policiesById;
    private final Map<String, AclPolicy> policiesByName;
    private final Map<String, AclTokenInfo> tokensByAccessor;
    private final Map<String, Resolved> bySecretHash;
    private final AclAuthorizer anonymous;

    State(Persisted persisted, AclDefaultPolicy defaultPolicy) {
      this.persisted = persisted;
      Map<String, AclPolicy> byId = new LinkedHashMap<>();
      Map<String, AclPolicy> byName = new TreeMap<>();
      AclPolicy builtin = AclPolicy.globalManagement();
      byId.put(builtin.id(), builtin);
      byName.put(builtin.name(), builtin);
      for (StoredPolicy p : persisted.policies()) {
        AclPolicy policy;
        try {
          policy = AclPolicy.of(p.id(), p.name(), p.description(), p.rules());
        } catch (PolicyRulesException e) {
          throw new IllegalArgumentException("policy " + p.id() + ": " + e.getMessage(), e);
        }
        if (byId.put(policy.id(), policy) != null || byName.put(policy.name(), policy) != null) {
          throw new IllegalArgumentException("policy " + p.id() + " (" + p.name()
              + ") is not unique");
        }
      }
      this.policiesById = Collections.unmodifiableMap(byId);
      this.policiesByName = Collections.unmodifiableMap(byName);
      Map<String, AclTokenInfo> tokens = new LinkedHashMap<>();
      Map<String, Resolved> secrets = new HashMap<>();
      for (StoredToken t : persisted.tokens()) {
        List<AclPolicyLink> links = new ArrayList<>();
        List<PolicyRules> rules = new ArrayList<>();
        for (String id : t.policyIds()) {
          AclPolicy policy = policiesById.get(id);
          if (policy != null) {
            links.add(AclPolicyLink.to(policy));
            rules.add(policy.rules());
          }
        }
        AclTokenInfo info = new AclTokenInfo(t.accessorId(), t.description(), links,
            Instant.parse(t.createTime()), t.createIndex(), t.modifyIndex());
        AclAuthorizer authorizer =
            AclAuthorizer.of(defaultPolicy, rules).forAccessor(t.accessorId());
        byte[] hash = HEX.parseHex(t.secretSha256());
        if (hash.length != 32) {
          throw new IllegalArgumentException("token " + t.accessorId()
              + " has no SHA-256 secret hash");
        }
        if (tokens.put(t.accessorId(), info) != null
            || secrets.put(t.secretSha256(), new Resolved(hash, info, authorizer)) != null) {
          throw new IllegalArgumentException("token " + t.accessorId() + " is not unique");
        }
      }
      this.tokensByAccessor = Collections.unmodifiableMap(tokens);
      this.bySecretHash = Map.copyOf(secrets);
      Resolved anon = bySecretHash.get(hashHex(AclToken.ANONYMOUS_SECRET_ID));
      this.anonymous = anon != null ? anon.authorizer()
          : AclAuthorizer.of(defaultPolicy, List.of()).forAccessor(AclToken.ANONYMOUS_ACCESSOR_ID);
    }

    /**
     * Returns the authorizer of the token with this secret, or of the anonymous token when there
     * is none.
     *
     * @throws AclNotFoundException if no token has this secret
     */
    public AclAuthorizer authorizer(Optional<String> secret) {
      requireNonNull(secret, "secret");
      if (secret.isEmpty()) {
        return anonymous;
      }
      return find(secret.get()).orElseThrow(AclNotFoundException::new).authorizer();
    }

    /**
     * Returns the token with this secret.
     *
     * @throws AclNotFoundException if no token has it
     */
    public AclTokenInfo token(String secret) {
      requireNonNull(secret, "secret");
      return find(secret).orElseThrow(AclNotFoundException::new).token();
    }

    private Optional<Resolved> find(String secret) {
      byte[] hash = hash(secret);
      Resolved r = bySecretHash.get(HEX.formatHex(hash));
      return r != null && MessageDigest.isEqual(r.hash(), hash) ? Optional.of(r)
          : Optional.empty();
    }

    /** Returns the index at which ACLs were bootstrapped, 0 if they were not. */
    public long bootstrapIndex() {
      return persisted.bootstrapIndex();
    }

    /** Returns every policy, the builtin {@code global-management} included, by name. */
    public List<AclPolicy> policies() {
      return List.copyOf(policiesByName.values());
    }

    /** Returns the policy with this ID, else the one with this name. */
    public Optional<AclPolicy> policy(String idOrName) {
      requireNonNull(idOrName, "idOrName");
      AclPolicy p = policiesById.get(idOrName);
      return Optional.ofNullable(p != null ? p : policiesByName.get(idOrName));
    }

    /** Returns every token, oldest first. */
    public List<AclTokenInfo> tokens() {
      return List.copyOf(tokensByAccessor.values());
    }

    /** Returns the token with this accessor ID. */
    public Optional<AclTokenInfo> tokenByAccessor(String accessorId) {
      requireNonNull(accessorId, "accessorId");
      return Optional.ofNullable(tokensByAccessor.get(accessorId));
    }

    private List<AclPolicyLink> links(List<String> idsOrNames) {
      Set<AclPolicyLink> links = new LinkedHashSet<>();
      for (String ref : idsOrNames) {
        requireNonNull(ref, "policy ID or name");
        AclPolicy p = policy(ref).orElseThrow(() -> new IllegalArgumentException(
            "No such ACL policy with ID or name \"" + ref + "\""));
        links.add(AclPolicyLink.to(p));
      }
      return List.copyOf(links);
    }
  }
}
