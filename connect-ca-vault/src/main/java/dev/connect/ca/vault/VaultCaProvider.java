package dev.connect.ca.vault;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaProvider;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.ExternalCaProvider;
import dev.connect.ca.vault.internal.VaultHttp;
import dev.connect.core.Certificates;
import dev.connect.core.SigningId;
import dev.connect.core.SpiffeId;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CaProvider} backed by Vault's PKI secrets engine: Consul's {@code vault} provider. A
 * root lives in the {@code RootPKIPath} mount, an intermediate it signed in the {@code
 * IntermediatePKIPath} mount, and leaves are signed by sending the service's CSR to the
 * intermediate's {@code sign/<role>} endpoint; no private key ever leaves Vault, and leaf keys
 * never leave the service.
 *
 * <pre>{@code
 * EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir)
 *     .externalCaProvider(VaultCaProvider.factory(vaultConfiguration)).build();
 * }</pre>
 *
 * <p>Setting up (a new data directory): both mounts are created if missing (an existing one is
 * used); the root mount's root is used if it has one, else generated ({@code
 * root/generate/internal}); a new intermediate is generated in Vault, signed by the root and
 * installed ({@code set-signed}); the role {@link VaultConfiguration#leafRole()} allows exactly the
 * URI SANs {@code spiffe://<trust domain>/*}. The {@linkplain #state() state} the server persists
 * names the mounts and holds the root and intermediate certificates, so reopening talks to no
 * Vault and a server starts while Vault is down (signing then fails).
 *
 * <p>The traps of Vault 1.7 this provider handles (see {@code docs/vault.md}): a second root
 * generation answers 200 with {@code data: null}, so the root is read back rather than assumed;
 * a root mount's {@code ca_chain} stays empty, so the root is read from {@code cert/ca}; generating
 * an intermediate breaks signing on its mount until {@code set-signed}, so {@link
 * #rotateIntermediate()} builds the new intermediate in the other of two mounts ({@code
 * IntermediatePKIPath} and {@code IntermediatePKIPath-2}) and switches only once it signs; the CSR's
 * trust domain is checked here before it is sent, and the leaf Vault returns is checked for the
 * requested identity and key; a leaf with an empty subject carries a critical URI SAN.
 *
 * <p>Every failure is a {@link VaultException} naming the endpoint and Vault's reasons, never the
 * token. Immutable and thread-safe; {@link #toString()} shows no secret.
 */
public final class VaultCaProvider implements ExternalCaProvider {
  private static final Logger log = LoggerFactory.getLogger(VaultCaProvider.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String NAME = "vault";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final VaultConfiguration vault;
  private final VaultHttp http;
  private final SigningId trustDomain;
  private final CaConfiguration config;
  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final Optional<X509Certificate> crossSigned;
  private final String activeMount;
  private final Mounts configured;

  /** The mounts the operator configured when the data directory was created. */
  private record Mounts(String root, String intermediate) {}

  private VaultCaProvider(VaultConfiguration vault, VaultHttp http, SigningId trustDomain,
      CaConfiguration config, X509Certificate root, X509Certificate intermediate,
      Optional<X509Certificate> crossSigned, String activeMount, Mounts configured) {
    this.vault = vault;
    this.http = http;
    this.trustDomain = trustDomain;
    this.config = config;
    this.root = root;
    this.intermediate = intermediate;
    this.crossSigned = crossSigned;
    this.activeMount = activeMount;
    this.configured = configured;
  }

  /**
   * Returns the factory a server is given to sign through Vault.
   *
   * @param vault the Vault settings
   * @return the factory, named {@code vault}
   */
  public static ExternalCaProvider.Factory factory(VaultConfiguration vault) {
    requireNonNull(vault, "vault");
    return new Factory() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public ExternalCaProvider open(SigningId trustDomain, CaConfiguration configuration,
          Optional<String> state) {
        return VaultCaProvider.open(vault, trustDomain, configuration, state);
      }

      @Override
      public String toString() {
        return "VaultCaProvider.factory[" + vault + "]";
      }
    };
  }

  /**
   * Opens the provider: sets up the mounts, root, intermediate and role in Vault when {@code
   * state} is empty, else reopens what {@code state} names without contacting Vault.
   *
   * @param vault the Vault settings
   * @param trustDomain the trust domain
   * @param configuration the TTLs and key spec (the key spec applies to the root and
   *     intermediate Vault generates)
   * @param state an earlier {@link #state()}, or empty
   * @return the provider
   * @throws VaultException if Vault refuses a step of the setup, naming it
   * @throws IllegalArgumentException if {@code state} is malformed, or names another trust
   *     domain or other mounts than {@code vault}
   */
  public static VaultCaProvider open(VaultConfiguration vault, SigningId trustDomain,
      CaConfiguration configuration, Optional<String> state) {
    requireNonNull(vault, "vault");
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(configuration, "configuration");
    requireNonNull(state, "state");
    VaultHttp http = new VaultHttp(vault);
    if (state.isPresent()) {
      return reopen(vault, http, trustDomain, configuration, state.get());
    }
    Setup setup = new Setup(vault, http, trustDomain, configuration);
    X509Certificate root = setup.root();
    X509Certificate intermediate = setup.intermediate(vault.intermediatePkiPath(), root);
    log.info("Vault CA set up at {}: root {} in {}, intermediate {} in {}", vault.address(),
        Certificates.sha1Fingerprint(root), vault.rootPkiPath(),
        Certificates.sha1Fingerprint(intermediate), vault.intermediatePkiPath());
    return new VaultCaProvider(vault, http, trustDomain, configuration, root, intermediate,
        Optional.empty(), vault.intermediatePkiPath(),
        new Mounts(vault.rootPkiPath(), vault.intermediatePkiPath()));
  }

  /** Returns {@code vault}, the name Consul gives this provider. */
  @Override
  public String name() {
    return NAME;
  }

  /** Returns the root in Vault's root mount. */
  @Override
  public X509Certificate rootCertificate() {
    return root;
  }

  /**
   * Returns the active intermediate, which signs leaves, and after a change of {@code
   * RootPKIPath} the new root cross-signed by the old one.
   */
  @Override
  public List<X509Certificate> intermediates() {
    return crossSigned.map(c -> List.of(intermediate, c)).orElse(List.of(intermediate));
  }

  /** Returns the path of the intermediate mount leaves are signed through now. */
  public String activeIntermediatePkiPath() {
    return activeMount;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The CSR's identity is checked against this trust domain here, before it is sent (a role
   * allowing {@code spiffe://*}, as Consul writes it, would sign any trust domain); the leaf Vault
   * returns must carry exactly the requested SPIFFE ID and public key and be issued by the active
   * intermediate. Vault caps the TTL at the role's {@code max_ttl} (the intermediate TTL) and
   * refuses one past the intermediate's end.
   *
   * @throws VaultException if Vault refuses or cannot be reached, or returns a leaf that is not
   *     the one requested
   */
  @Override
  public X509Certificate sign(CertificateRequest request) {
    requireNonNull(request, "request");
    if (!trustDomain.canSign(request.serviceId())) {
      throw new IllegalArgumentException("request for " + request.serviceId()
          + " is for another trust domain; this CA signs for " + trustDomain);
    }
    String path = activeMount + "/sign/" + vault.leafRole();
    ObjectNode body = VaultHttp.object();
    body.put("csr", csrPem(request.encoded()));
    body.put("ttl", seconds(config.leafCertTtl()));
    JsonNode data = data("POST", path, http.json("POST", path, body));
    X509Certificate leaf = certificate("POST", path, data, "certificate");
    String expected = request.serviceId().spiffeId().toString();
    String got;
    try {
      got = SpiffeId.fromCertificate(leaf).toString();
    } catch (RuntimeException e) {
      throw new VaultException(VaultHttp.endpoint("POST", path), 200, List.of(),
          "the leaf has no single SPIFFE ID (" + e.getMessage() + "); expected " + expected, e);
    }
    if (!got.equals(expected) || !leaf.getPublicKey().equals(request.publicKey())) {
      throw new VaultException(VaultHttp.endpoint("POST", path), 200, List.of(),
          "the leaf is for " + got + (got.equals(expected) ? " with another key" : "")
              + ", not the requested " + expected, null);
    }
    if (!issuedBy(leaf, intermediate)) {
      throw new VaultException(VaultHttp.endpoint("POST", path), 200, List.of(),
          "the leaf " + Certificates.sha1Fingerprint(leaf) + " is not signed by the active"
              + " intermediate " + Certificates.sha1Fingerprint(intermediate)
              + "; was the mount changed outside this provider?", null);
    }
    return leaf;
  }

  /** Returns true: Vault's root mount cross-signs with {@code root/sign-self-issued}. */
  @Override
  public boolean supportsCrossSigning() {
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sent to {@code <RootPKIPath>/root/sign-self-issued}, as Consul's {@code CrossSignCA}; the
   * result keeps the new root's serial, subject and validity.
   *
   * @throws VaultException if Vault refuses
   */
  @Override
  public X509Certificate crossSign(X509Certificate newRoot) {
    requireNonNull(newRoot, "newRoot");
    if (newRoot.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate to cross-sign is not a CA: "
          + Certificates.sha1Fingerprint(newRoot));
    }
    List<String> uris = uriSans(newRoot);
    if (uris.size() != 1 || !uris.get(0).equals(trustDomain.toString())) {
      throw new IllegalArgumentException("certificate to cross-sign must have exactly one URI"
          + " SAN, " + trustDomain + "; " + Certificates.sha1Fingerprint(newRoot) + " has "
          + uris);
    }
    String path = vault.rootPkiPath() + "/root/sign-self-issued";
    ObjectNode body = VaultHttp.object();
    body.put("certificate", Certificates.toPem(newRoot));
    JsonNode data = data("POST", path, http.json("POST", path, body));
    return certificate("POST", path, data, "certificate");
  }

  /**
   * {@inheritDoc}
   *
   * <p>The new intermediate is generated in the mount that is not active ({@code
   * IntermediatePKIPath} or {@code IntermediatePKIPath-2}), signed by the root, installed, and
   * given the leaf role; only then does the returned provider sign through it. This provider
   * keeps signing through the old one meanwhile, so no leaf request meets Vault's window between
   * {@code intermediate/generate} and {@code set-signed}.
   *
   * @throws VaultException if a step fails; the active mount is untouched then
   */
  @Override
  public VaultCaProvider rotateIntermediate() {
    String base = vault.intermediatePkiPath();
    String next = activeMount.equals(base) ? base + "-2" : base;
    X509Certificate fresh = new Setup(vault, http, trustDomain, config).intermediate(next, root);
    log.info("Vault CA rotated to intermediate {} in {}", Certificates.sha1Fingerprint(fresh),
        next);
    return new VaultCaProvider(vault, http, trustDomain, config, root, fresh, crossSigned, next,
        configured);
  }

  @Override
  public VaultCaProvider withConfiguration(CaConfiguration configuration) {
    requireNonNull(configuration, "configuration");
    return new VaultCaProvider(vault, http, trustDomain, configuration, root, intermediate,
        crossSigned, activeMount, configured);
  }

  /**
   * Returns Consul's {@code Config} keys of the vault provider: {@code Address}, {@code
   * RootPKIPath}, {@code IntermediatePKIPath} (as configured; leaves may be signed through its
   * {@code -2} twin, see {@link #activeIntermediatePkiPath()}), and {@code CAFile}, {@code
   * CertFile}, {@code KeyFile} when set. Never {@code Token}: Consul documents it as write-only.
   */
  @Override
  public Map<String, Object> settings() {
    Map<String, Object> m = new TreeMap<>();
    m.put("Address", vault.address().toString());
    m.put("RootPKIPath", vault.rootPkiPath());
    m.put("IntermediatePKIPath", vault.intermediatePkiPath());
    vault.caFile().ifPresent(f -> m.put("CAFile", f.toString()));
    vault.certFile().ifPresent(f -> m.put("CertFile", f.toString()));
    vault.keyFile().ifPresent(f -> m.put("KeyFile", f.toString()));
    return m;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Keys are matched case-insensitively, as Consul does. Another {@code RootPKIPath} means a
   * new root: that mount's root (generated if it has none), cross-signed by the current root
   * through {@code <old RootPKIPath>/root/sign-self-issued}, as Consul does for a provider that
   * can cross-sign. Another {@code IntermediatePKIPath} means the new intermediate is made in it;
   * else in the spare mount, as {@link #rotateIntermediate()}. {@code Address}, {@code Token},
   * {@code CAFile}, {@code CertFile} and {@code KeyFile} cannot be changed this way (they are
   * given when the server starts); equal values are accepted. Other keys (Consul's common ones
   * such as {@code LeafCertTTL}) are not this provider's and are left alone.
   *
   * @throws IllegalArgumentException if a key that cannot change is changed, naming it (never
   *     the token's value), or a path is invalid
   * @throws VaultException if Vault refuses a step; this provider is untouched then
   */
  @Override
  public VaultCaProvider reconfigure(Map<String, Object> settings) {
    requireNonNull(settings, "settings");
    Map<String, Object> given = new LinkedHashMap<>();
    settings.forEach((k, v) -> given.put(k.toLowerCase(Locale.ROOT), v));
    Object token = given.get("token");
    if (token != null && !vault.token().equals(String.valueOf(token))) {
      throw new IllegalArgumentException("the Vault Token cannot be changed through the CA"
          + " configuration (the new value is not shown); restart the server with the new token");
    }
    Map<String, Object> current = settings();
    for (String key : List.of("Address", "CAFile", "CertFile", "KeyFile")) {
      Object v = given.get(key.toLowerCase(Locale.ROOT));
      if (v != null && !String.valueOf(v).equals(String.valueOf(current.getOrDefault(key, "")))
          && !(key.equals("Address") && String.valueOf(v).equals(current.get(key) + "/"))) {
        throw new IllegalArgumentException("the Vault " + key + " cannot be changed through the"
            + " CA configuration: \"" + v + "\" differs from \"" + current.getOrDefault(key, "")
            + "\"; restart the server with the new setting and a new data directory");
      }
    }
    String rootPath = text(given, "rootpkipath", vault.rootPkiPath());
    String intPath = text(given, "intermediatepkipath", vault.intermediatePkiPath());
    VaultConfiguration next = vault.withPkiPaths(rootPath, intPath);
    boolean newMount = !next.intermediatePkiPath().equals(vault.intermediatePkiPath());
    String mount = newMount ? next.intermediatePkiPath()
        : activeMount.equals(next.intermediatePkiPath()) ? next.intermediatePkiPath() + "-2"
            : next.intermediatePkiPath();
    Setup setup = new Setup(next, http, trustDomain, config);
    if (next.rootPkiPath().equals(vault.rootPkiPath())) {
      X509Certificate fresh = setup.intermediate(mount, root);
      log.info("Vault CA reconfigured: intermediate {} in {}",
          Certificates.sha1Fingerprint(fresh), mount);
      return new VaultCaProvider(next, http, trustDomain, config, root, fresh, crossSigned,
          mount, configured);
    }
    X509Certificate newRoot = setup.root();
    if (newRoot.equals(root)) {
      throw new IllegalArgumentException("RootPKIPath " + next.rootPkiPath() + " holds the"
          + " current root " + Certificates.sha1Fingerprint(root) + "; nothing changed");
    }
    X509Certificate cross = crossSign(newRoot);
    X509Certificate fresh = setup.intermediate(mount, newRoot);
    log.info("Vault CA reconfigured: root {} in {} cross-signed by {}, intermediate {} in {}",
        Certificates.sha1Fingerprint(newRoot), next.rootPkiPath(),
        Certificates.sha1Fingerprint(root), Certificates.sha1Fingerprint(fresh), mount);
    return new VaultCaProvider(next, http, trustDomain, config, newRoot, fresh,
        Optional.of(cross), mount, configured);
  }

  private static String text(Map<String, Object> given, String key, String otherwise) {
    Object v = given.get(key);
    return v == null ? otherwise : String.valueOf(v);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Looks the token up ({@code auth/token/lookup-self}); a renewable token with a TTL is
   * renewed ({@code auth/token/renew-self}) and the next renewal is due after half of the TTL
   * Vault then grants, as Consul does. A token that is not renewable or never expires (a root
   * token) needs none: empty.
   *
   * @throws VaultException if Vault refuses the lookup or the renewal
   */
  @Override
  public Optional<Duration> renewCredentials() {
    String lookup = "auth/token/lookup-self";
    JsonNode data = data("GET", lookup, http.json("GET", lookup, null));
    long ttl = data.path("ttl").asLong(0);
    if (!data.path("renewable").asBoolean(false) || ttl <= 0) {
      return Optional.empty();
    }
    String renew = "auth/token/renew-self";
    ObjectNode body = VaultHttp.object();
    long increment = data.path("creation_ttl").asLong(ttl);
    body.put("increment", Math.max(1, increment) + "s");
    Optional<JsonNode> answer = http.json("POST", renew, body);
    long granted = answer.map(a -> a.path("auth").path("lease_duration").asLong(0)).orElse(0L);
    if (granted <= 0) {
      throw new VaultException(VaultHttp.endpoint("POST", renew), 200, warnings(answer),
          "the answer grants no lease_duration", null);
    }
    log.debug("renewed the Vault token for {} s", granted);
    return Optional.of(Duration.ofSeconds(Math.max(1, granted / 2)));
  }

  /**
   * Returns the JSON the server persists: the provider name, trust domain, Vault address, mounts,
   * role, and the root and intermediate certificates. No token.
   */
  @Override
  public String state() {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("provider", NAME);
    n.put("trustDomain", trustDomain.trustDomain());
    n.put("address", vault.address().toString());
    n.put("rootPkiPath", configured.root());
    n.put("intermediatePkiPath", configured.intermediate());
    n.put("currentRootPkiPath", vault.rootPkiPath());
    n.put("currentIntermediatePkiPath", vault.intermediatePkiPath());
    n.put("activeIntermediatePkiPath", activeMount);
    n.put("leafRole", vault.leafRole());
    n.put("rootCertificate", Certificates.toPem(root));
    n.put("intermediateCertificate", Certificates.toPem(intermediate));
    crossSigned.ifPresent(c -> n.put("crossSignedCertificate", Certificates.toPem(c)));
    return n.toString();
  }

  /** Returns the address, mounts and certificates' fingerprints; never the token. */
  @Override
  public String toString() {
    return "VaultCaProvider[address=" + vault.address() + ", trustDomain="
        + trustDomain.trustDomain() + ", rootPkiPath=" + vault.rootPkiPath()
        + ", activeIntermediatePkiPath=" + activeMount + ", root="
        + Certificates.sha1Fingerprint(root) + ", intermediate="
        + Certificates.sha1Fingerprint(intermediate) + "]";
  }

  private static VaultCaProvider reopen(VaultConfiguration vault, VaultHttp http,
      SigningId trustDomain, CaConfiguration configuration, String stateJson) {
    JsonNode s;
    try {
      s = MAPPER.readTree(stateJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("Vault provider state is not JSON: " + e.getMessage(),
          e);
    }
    String provider = s.path("provider").asText();
    if (!NAME.equals(provider)) {
      throw new IllegalArgumentException("the persisted CA provider state is for provider '"
          + provider + "', not vault");
    }
    String td = s.path("trustDomain").asText();
    if (!td.equals(trustDomain.trustDomain())) {
      throw new IllegalArgumentException("the persisted Vault provider state is for trust"
          + " domain " + td + ", not " + trustDomain.trustDomain());
    }
    // The mounts configured at creation, or those a PUT of the CA configuration changed to.
    String rootPath = s.path("rootPkiPath").asText();
    String intPath = s.path("intermediatePkiPath").asText();
    String currentRoot = s.path("currentRootPkiPath").asText(rootPath);
    String currentInt = s.path("currentIntermediatePkiPath").asText(intPath);
    requireSame("RootPKIPath", vault.rootPkiPath().equals(rootPath) ? rootPath : currentRoot,
        vault.rootPkiPath());
    requireSame("IntermediatePKIPath",
        vault.intermediatePkiPath().equals(intPath) ? intPath : currentInt,
        vault.intermediatePkiPath());
    requireSame("leaf role", s.path("leafRole").asText(), vault.leafRole());
    Mounts configured = new Mounts(rootPath, intPath);
    if (!currentRoot.equals(vault.rootPkiPath())
        || !currentInt.equals(vault.intermediatePkiPath())) {
      log.info("the Vault CA uses RootPKIPath {} and IntermediatePKIPath {}, set through the CA"
          + " configuration after {} and {} were configured", currentRoot, currentInt, rootPath,
          intPath);
      vault = vault.withPkiPaths(currentRoot, currentInt);
    }
    String active = s.path("activeIntermediatePkiPath").asText();
    if (!active.equals(vault.intermediatePkiPath())
        && !active.equals(vault.intermediatePkiPath() + "-2")) {
      throw new IllegalArgumentException("the persisted Vault provider state names active"
          + " intermediate mount '" + active + "', not one of this configuration's");
    }
    X509Certificate root = Certificates.parseOnePem(s.path("rootCertificate").asText());
    X509Certificate intermediate =
        Certificates.parseOnePem(s.path("intermediateCertificate").asText());
    if (!issuedBy(intermediate, root)) {
      throw new IllegalArgumentException("the persisted Vault intermediate "
          + Certificates.sha1Fingerprint(intermediate) + " is not signed by the persisted root "
          + Certificates.sha1Fingerprint(root));
    }
    Optional<X509Certificate> cross = s.hasNonNull("crossSignedCertificate")
        ? Optional.of(Certificates.parseOnePem(s.path("crossSignedCertificate").asText()))
        : Optional.empty();
    return new VaultCaProvider(vault, http, trustDomain, configuration, root, intermediate,
        cross, active, configured);
  }

  private static void requireSame(String what, String persisted, String configured) {
    if (!persisted.equals(configured)) {
      throw new IllegalArgumentException("the data directory's Vault CA uses " + what + " '"
          + persisted + "', but '" + configured + "' is configured; configure the same, or move"
          + " the data directory aside to start a new trust domain");
    }
  }

  /** The steps that set up mounts, root, intermediate and role. */
  private static final class Setup {
    private final VaultConfiguration vault;
    private final VaultHttp http;
    private final SigningId trustDomain;
    private final CaConfiguration config;

    Setup(VaultConfiguration vault, VaultHttp http, SigningId trustDomain,
        CaConfiguration config) {
      this.vault = vault;
      this.http = http;
      this.trustDomain = trustDomain;
      this.config = config;
    }

    /** Returns the root mount's root, generated if it has none. */
    X509Certificate root() {
      mount(vault.rootPkiPath(), config.rootCertTtl());
      Optional<X509Certificate> existing = readCa(vault.rootPkiPath());
      if (existing.isEmpty()) {
        String path = vault.rootPkiPath() + "/root/generate/internal";
        ObjectNode body = keyed(commonName());
        body.put("ttl", seconds(config.rootCertTtl()));
        Optional<JsonNode> answer = http.json("POST", path, body);
        JsonNode data = answer.map(a -> a.path("data")).orElse(null);
        if (data == null || data.isNull() || data.isMissingNode()) {
          // 200 with data null: a root appeared meanwhile, and Vault kept it (a warning says so).
          log.info("Vault kept the root already in {}: {}", vault.rootPkiPath(),
              answer.map(a -> a.path("warnings").toString()).orElse("[]"));
          existing = readCa(vault.rootPkiPath());
          if (existing.isEmpty()) {
            throw new VaultException(VaultHttp.endpoint("POST", path), 200,
                warnings(answer), "no root was generated and none can be read from "
                    + vault.rootPkiPath() + "/cert/ca", null);
          }
        } else {
          existing = Optional.of(certificate("POST", path, data, "certificate"));
        }
      }
      X509Certificate root = existing.get();
      if (root.getBasicConstraints() < 0) {
        throw new VaultException("GET /v1/" + vault.rootPkiPath() + "/cert/ca", 200, List.of(),
            "the root " + Certificates.sha1Fingerprint(root) + " is not a CA certificate", null);
      }
      List<String> uris = uriSans(root);
      if (!uris.isEmpty() && !uris.contains(trustDomain.toString())) {
        throw new VaultException("GET /v1/" + vault.rootPkiPath() + "/cert/ca", 200, List.of(),
            "the root " + Certificates.sha1Fingerprint(root) + " in " + vault.rootPkiPath()
                + " is for " + uris + ", not this trust domain " + trustDomain
                + "; use another RootPKIPath", null);
      }
      return root;
    }

    /** Makes, signs and installs an intermediate in {@code mount}, and writes the leaf role. */
    X509Certificate intermediate(String mount, X509Certificate root) {
      mount(mount, config.intermediateCertTtl());
      String generate = mount + "/intermediate/generate/internal";
      JsonNode generated = data("POST", generate, http.json("POST", generate,
          keyed(commonName())));
      String csr = text("POST", generate, generated, "csr");

      String sign = vault.rootPkiPath() + "/root/sign-intermediate";
      ObjectNode signBody = VaultHttp.object();
      signBody.put("csr", csr);
      signBody.put("use_csr_values", true);
      signBody.put("format", "pem_bundle");
      signBody.put("ttl", seconds(config.intermediateCertTtl()));
      signBody.put("uri_sans", trustDomain.toString());
      JsonNode signed = data("POST", sign, http.json("POST", sign, signBody));
      X509Certificate intermediate = certificate("POST", sign, signed, "certificate");
      if (!issuedBy(intermediate, root)) {
        throw new VaultException(VaultHttp.endpoint("POST", sign), 200, List.of(),
            "the intermediate is not signed by the root " + Certificates.sha1Fingerprint(root),
            null);
      }

      String setSigned = mount + "/intermediate/set-signed";
      ObjectNode setBody = VaultHttp.object();
      setBody.put("certificate", Certificates.toPem(intermediate) + Certificates.toPem(root));
      http.send("POST", setSigned, setBody);

      String role = mount + "/roles/" + vault.leafRole();
      ObjectNode roleBody = VaultHttp.object();
      // Exactly this trust domain: Consul's "spiffe://*" would sign any (README trap).
      roleBody.put("allowed_uri_sans", trustDomain + "/*");
      roleBody.put("allow_any_name", false);
      roleBody.put("allow_bare_domains", false);
      roleBody.put("allow_subdomains", false);
      roleBody.put("allow_localhost", false);
      roleBody.put("allow_ip_sans", false);
      roleBody.put("enforce_hostnames", false);
      roleBody.put("require_cn", false);
      roleBody.put("use_csr_sans", true);
      roleBody.put("use_csr_common_name", false);
      roleBody.put("key_type", "any");
      roleBody.put("max_ttl", seconds(config.intermediateCertTtl()));
      roleBody.put("generate_lease", false);
      roleBody.put("no_store", true);
      http.send("POST", role, roleBody);
      return intermediate;
    }

    private void mount(String path, Duration maxTtl) {
      String endpoint = "sys/mounts/" + path;
      ObjectNode body = VaultHttp.object();
      body.put("type", "pki");
      body.put("description", "Connect for Java CA (" + trustDomain.trustDomain() + ")");
      ObjectNode c = body.putObject("config");
      c.put("default_lease_ttl", seconds(maxTtl));
      c.put("max_lease_ttl", seconds(maxTtl));
      VaultHttp.Answer a = http.exchange("POST", endpoint, body);
      if (a.status() == 204 || a.status() == 200) {
        return;
      }
      List<String> reasons = VaultHttp.reasons(a.body());
      if (a.status() == 400 && reasons.stream().anyMatch(r -> r.contains("already in use"))) {
        return; // an existing mount is used, as Consul does
      }
      throw new VaultException(VaultHttp.endpoint("POST", endpoint), a.status(), reasons,
          "cannot mount the PKI engine at " + path, null);
    }

    /** Reads a mount's CA from {@code cert/ca}: {@code ca_chain} stays empty on a root mount. */
    private Optional<X509Certificate> readCa(String mount) {
      String path = mount + "/cert/ca";
      VaultHttp.Answer a = http.exchange("GET", path, null);
      if (a.status() == 404 && VaultHttp.reasons(a.body()).isEmpty()) {
        return Optional.empty(); // mounted, no CA yet: 404 {"errors":[]}
      }
      if (a.status() != 200) {
        throw new VaultException(VaultHttp.endpoint("GET", path), a.status(),
            VaultHttp.reasons(a.body()), "", null);
      }
      JsonNode data;
      try {
        data = MAPPER.readTree(a.body()).path("data");
      } catch (IOException e) {
        throw new VaultException(VaultHttp.endpoint("GET", path), 200, List.of(),
            "the body is not JSON", e);
      }
      if (data.path("certificate").asText().isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(certificate("GET", path, data, "certificate"));
    }

    private ObjectNode keyed(String commonName) {
      ObjectNode body = VaultHttp.object();
      body.put("common_name", commonName);
      body.put("uri_sans", trustDomain.toString());
      switch (config.keySpec()) {
        case EC_P256 -> {
          body.put("key_type", "ec");
          body.put("key_bits", 256);
        }
        case EC_P384 -> {
          body.put("key_type", "ec");
          body.put("key_bits", 384);
        }
        case RSA_2048 -> {
          body.put("key_type", "rsa");
          body.put("key_bits", 2048);
        }
        case RSA_4096 -> {
          body.put("key_type", "rsa");
          body.put("key_bits", 4096);
        }
      }
      return body;
    }

    /** Consul's CACN for this provider: {@code pri-<uid>.vault.ca.<cluster id 8>.consul}. */
    private String commonName() {
      byte[] uid = new byte[4];
      RANDOM.nextBytes(uid);
      String cluster = trustDomain.trustDomain();
      return "pri-" + HexFormat.of().formatHex(uid) + ".vault.ca."
          + cluster.substring(0, Math.min(8, cluster.indexOf('.') < 0 ? cluster.length()
              : cluster.indexOf('.'))) + ".consul";
    }
  }

  private static List<String> warnings(Optional<JsonNode> answer) {
    List<String> out = new ArrayList<>();
    answer.ifPresent(a -> a.path("warnings").forEach(w -> out.add(w.asText())));
    return out;
  }

  private static JsonNode data(String method, String path, Optional<JsonNode> answer) {
    JsonNode data = answer.map(a -> a.path("data")).orElse(null);
    if (data == null || !data.isObject()) {
      throw new VaultException(VaultHttp.endpoint(method, path), answer.isPresent() ? 200 : 204,
          warnings(answer), "the answer has no data", null);
    }
    return data;
  }

  private static String text(String method, String path, JsonNode data, String field) {
    String value = data.path(field).asText();
    if (value.isEmpty()) {
      throw new VaultException(VaultHttp.endpoint(method, path), 200, List.of(),
          "the answer has no data." + field, null);
    }
    return value;
  }

  private static X509Certificate certificate(String method, String path, JsonNode data,
      String field) {
    String pem = text(method, path, data, field);
    try {
      // pem_bundle may append the issuer; the first block is the certificate asked for.
      return Certificates.parsePem(pem).get(0);
    } catch (RuntimeException e) {
      throw new VaultException(VaultHttp.endpoint(method, path), 200, List.of(),
          "data." + field + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String csrPem(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  /** A TTL as Vault reads it: a Go duration in whole seconds, such as {@code 259200s}. */
  private static String seconds(Duration ttl) {
    return Math.max(1, ttl.toSeconds()) + "s";
  }

  private static List<String> uriSans(X509Certificate certificate) {
    return Certificates.uriSans(certificate, "certificate");
  }
}
