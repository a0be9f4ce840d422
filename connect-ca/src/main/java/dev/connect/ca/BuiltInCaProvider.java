package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.internal.Issuer;
import dev.connect.ca.internal.Jca;
import dev.connect.ca.internal.KeyDescription;
import dev.connect.ca.internal.PrivateKeys;
import dev.connect.core.UntrustedText;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The built-in certificate authority: Consul's {@code consul} provider, in process. It holds one
 * CA key and its self-signed root, signs service leaves with it, and cross-signs the next root
 * when the CA rotates.
 *
 * <p>{@link #generate} makes a new key ({@link CaConfiguration#keySpec()}) and root; {@link #load}
 * takes an existing key and root, made by an earlier {@code generate} (see {@link
 * #exportPrivateKeyPkcs8Pem()}) or supplied by an operator, as Consul's {@code PrivateKey} and
 * {@code RootCert} settings.
 *
 * <p>The certificates match what Consul 1.10 writes, field by field:
 *
 * <ul>
 *   <li><b>root</b>: subject and issuer {@code CN=pri-<uid>.consul.ca.<first 8 of the cluster
 *       ID>.consul}; URI SAN {@code spiffe://<trust domain>}; basic constraints critical CA:TRUE
 *       without a path length; key usage critical digitalSignature, keyCertSign, cRLSign; subject
 *       and authority key identifiers both the SHA-256 of its SubjectPublicKeyInfo; valid from
 *       now (not back-dated) for the root TTL;
 *   <li><b>leaf</b>: subject {@code CN=<service>.svc.<namespace>.<first 8>.consul}; the service's
 *       SPIFFE ID as the only SAN; key usage critical digitalSignature, keyEncipherment,
 *       dataEncipherment, keyAgreement; extended key usage clientAuth and serverAuth; basic
 *       constraints critical CA:FALSE; subject key identifier the SHA-256 of the CSR's key;
 *       authority key identifier the root's subject key identifier; valid from one minute ago for
 *       the leaf TTL;
 *   <li><b>cross-signed root</b>: the new root's subject, public key and every extension but the
 *       authority key identifier (key usage, basic constraints, subject key identifier, SAN, and
 *       any name constraints, extended key usage or policies), issued and signed by this root,
 *       whose subject key identifier becomes the authority key identifier; valid from one minute
 *       ago for 7 days. Go's {@code x509.CreateCertificate} with the new root as template does
 *       the same for the extensions it knows.
 * </ul>
 *
 * <p>Signatures are ECDSA with SHA-256 for an EC CA key of any curve, SHA-256 with RSA for an RSA
 * key. One deliberate difference from Consul: serial numbers are random, 159 bits from a {@link
 * java.security.SecureRandom}, not a cluster-wide counter; among {@code n} certificates the chance
 * that two share a serial is below {@code n^2 / 2^160}.
 *
 * <p>Sharp edges: every date comes from the {@link Clock} given at creation, rounded down to
 * the second as X.509 writes it; a root before its start or past its end refuses to sign ({@link
 * IllegalStateException}), but a leaf's end is not cut to the root's, as in Consul. Instances are
 * immutable and thread-safe. {@link #toString()} shows metadata, never the key.
 */
public final class BuiltInCaProvider implements CaProvider {
  private static final String NAME = "consul";

  private final SigningId trustDomain;
  private final CaConfiguration config;
  private final Clock clock;
  private final CaKeySpec keySpec;
  private final PrivateKey privateKey;
  private final X509Certificate root;
  private final Instant rootNotBefore;
  private final Instant rootNotAfter;
  private final Issuer issuer;

  private BuiltInCaProvider(SigningId trustDomain, CaConfiguration config, Clock clock,
      CaKeySpec keySpec, PrivateKey privateKey, X509Certificate root) {
    this.trustDomain = trustDomain;
    this.config = config;
    this.clock = clock;
    this.keySpec = keySpec;
    this.privateKey = privateKey;
    this.root = root;
    this.rootNotBefore = root.getNotBefore().toInstant();
    this.rootNotAfter = root.getNotAfter().toInstant();
    this.issuer = new Issuer(privateKey, root);
  }

  /**
   * Creates a CA with a new key of {@link CaConfiguration#keySpec()} and a new self-signed root,
   * valid from the clock's now for {@link CaConfiguration#rootCertTtl()}.
   *
   * @param trustDomain the CA's trust domain, in the root's URI SAN
   * @param config the TTLs and key spec
   * @param clock the source of every date the CA writes
   * @return the CA
   */
  public static BuiltInCaProvider generate(SigningId trustDomain, CaConfiguration config,
      Clock clock) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    CaKeySpec spec = config.keySpec();
    KeyPair keys = switch (spec) {
      case EC_P256 -> Jca.generateEcKeyPair("secp256r1");
      case EC_P384 -> Jca.generateEcKeyPair("secp384r1");
      case RSA_2048, RSA_4096 -> Jca.generateRsaKeyPair(spec.bits());
    };
    X509Certificate root =
        Issuer.selfSignedRoot(keys, trustDomain, clock.instant(), config.rootCertTtl());
    return new BuiltInCaProvider(trustDomain, config, clock, spec, keys.getPrivate(), root);
  }

  /**
   * Creates a CA from an existing key and root certificate, in PEM.
   *
   * <p>The key may be PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#8
   * ({@code PRIVATE KEY}), unencrypted. The root must be a CA certificate whose public key is the
   * key's and one of the {@link CaKeySpec}s; if it carries URI SANs, one must be {@code
   * spiffe://<trustDomain>}. {@link #keySpec()} is read from the key, and the configuration's
   * key spec is ignored; its TTLs apply.
   *
   * @param privateKeyPem the CA's private key
   * @param rootCertPem the root certificate, one PEM block
   * @param trustDomain the CA's trust domain
   * @param config the TTLs
   * @param clock the source of every date the CA writes
   * @return the CA
   * @throws IllegalArgumentException if the PEM holds no key or certificate ("no PEM-encoded data
   *     found"), the certificate is not a CA, is for another trust domain or has an unsupported
   *     key, or the key does not match it; the message names the certificate's SHA-1 fingerprint,
   *     never the key
   */
  public static BuiltInCaProvider load(String privateKeyPem, String rootCertPem,
      SigningId trustDomain, CaConfiguration config, Clock clock) {
    requireNonNull(privateKeyPem, "privateKeyPem");
    requireNonNull(rootCertPem, "rootCertPem");
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    X509Certificate root = parseRoot(rootCertPem);
    String fingerprint = "root certificate " + Certificates.sha1Fingerprint(root);
    if (root.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(fingerprint + " is not a CA: basic constraints"
          + " CA:TRUE is missing (subject " + root.getSubjectX500Principal() + ")");
    }
    boolean[] keyUsage = root.getKeyUsage();
    if (keyUsage != null && (keyUsage.length < 6 || !keyUsage[5])) {
      throw new IllegalArgumentException(
          fingerprint + " is not a CA: its key usage lacks keyCertSign");
    }
    List<String> uris = uriSans(root);
    if (!uris.isEmpty() && !uris.contains(trustDomain.toString())) {
      throw new IllegalArgumentException(fingerprint + " is for " + String.join(", ", uris)
          + ", not this CA's trust domain " + trustDomain);
    }
    KeyDescription kind = KeyDescription.of(root.getPublicKey());
    CaKeySpec spec = kind.caKeySpec().orElseThrow(() -> new IllegalArgumentException(
        fingerprint + " has an unsupported " + kind + " key; supported: EC P-256, EC P-384,"
            + " RSA 2048 and 4096 bits"));
    PrivateKey key = PrivateKeys.parsePem(privateKeyPem);
    if (!PrivateKeys.matches(key, root.getPublicKey())) {
      String family = key instanceof ECKey ? "EC" : key instanceof RSAKey ? "RSA"
          : key.getAlgorithm();
      throw new IllegalArgumentException("private key (" + family
          + ") does not match the public key of " + fingerprint);
    }
    return new BuiltInCaProvider(trustDomain, config, clock, spec, key, root);
  }

  /** Returns {@code consul}, the name Consul gives its built-in provider. */
  @Override
  public String name() {
    return NAME;
  }

  @Override
  public X509Certificate rootCertificate() {
    return root;
  }

  /** Returns the root as one PEM block ending in a newline, for {@link #load}. */
  public String rootCertificatePem() {
    return Certificates.toPem(root);
  }

  /** Returns an empty list: the built-in CA signs leaves with its root. */
  @Override
  public List<X509Certificate> intermediates() {
    return List.of();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The leaf is valid from one minute before the clock's now for {@link
   * CaConfiguration#leafCertTtl()}.
   */
  @Override
  public X509Certificate sign(CertificateRequest request) {
    requireNonNull(request, "request");
    if (!trustDomain.canSign(request.serviceId())) {
      throw new IllegalArgumentException("request for " + request.serviceId()
          + " was validated for another trust domain; this CA signs for " + trustDomain);
    }
    Instant now = clock.instant();
    checkRootValid(now);
    return issuer.leaf(request.subjectPublicKeyInfo(), request.serviceId(), now,
        config.leafCertTtl());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The leaf is valid from one minute before the clock's now for {@link
   * CaConfiguration#leafCertTtl()}; its CN is Consul's agent CN, {@code
   * <node>.agnt.<td8>.consul}.
   */
  @Override
  public X509Certificate signAgent(AgentCertificateRequest request) {
    requireNonNull(request, "request");
    if (!request.agent().trustDomain().equals(trustDomain.trustDomain())) {
      throw new IllegalArgumentException("request for " + request.agent()
          + " is for another trust domain; this CA signs for " + trustDomain);
    }
    if (!config.allowsLeafKey(request.publicKey())) {
      throw new IllegalArgumentException("agent key not allowed for a leaf: "
          + KeyDescription.of(request.publicKey()));
    }
    Instant now = clock.instant();
    checkRootValid(now);
    return issuer.agentLeaf(SubjectPublicKeyInfo.getInstance(request.publicKey().getEncoded()),
        request.agent(), request.dnsNames(), request.ipAddresses(), now, config.leafCertTtl());
  }

  /** Returns true: the built-in CA can cross-sign. */
  @Override
  public boolean supportsCrossSigning() {
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The result is valid from one minute before the clock's now for 7 days, as in Consul, or for
   * twice {@link CaConfiguration#leafCertTtl()} if that is shorter: a rotated-out root is pruned
   * twice the leaf TTL after the rotation, and a cross-signed certificate that outlived the root
   * that issued it would make every chain that carries it fail PKIX validation as presented
   * (java-spiffe's {@code X509SvidValidator} validates chains exactly as presented). It keeps every
   * extension of the new root but the authority key identifier, which names this root's key:
   * its path length limit, name constraints, extended key usage and policies bind leaves that
   * chain through it as they bind leaves that chain to the new root (review finding: only key
   * usage, basic constraints, key identifiers and SAN used to be copied, so a name-constrained
   * new root lost its constraints on the path through the old root).
   *
   * @throws IllegalArgumentException if {@code newRoot} is not a CA, or its URI SANs are not
   *     exactly {@code spiffe://<this CA's trust domain>}; the message names what it has
   */
  @Override
  public X509Certificate crossSign(X509Certificate newRoot) {
    requireNonNull(newRoot, "newRoot");
    String fingerprint = Certificates.sha1Fingerprint(newRoot);
    if (newRoot.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate to cross-sign is not a CA: "
          + fingerprint + " (subject " + newRoot.getSubjectX500Principal() + ")");
    }
    List<String> uris = uriSans(newRoot);
    if (uris.size() != 1 || !uris.get(0).equals(trustDomain.toString())) {
      throw new IllegalArgumentException("certificate to cross-sign must have exactly one URI"
          + " SAN, " + trustDomain + ", the trust domain of this CA; " + fingerprint + " has "
          + (uris.isEmpty() ? "none" : UntrustedText.firstOf(uris, 5)));
    }
    Instant now = clock.instant();
    checkRootValid(now);
    Duration twiceLeafTtl = config.leafCertTtl().multipliedBy(2);
    return issuer.crossSign(newRoot, now, twiceLeafTtl.compareTo(Issuer.CROSS_SIGNED_TTL) < 0
        ? twiceLeafTtl : Issuer.CROSS_SIGNED_TTL);
  }

  /** Returns the type and size of the CA key. */
  public CaKeySpec keySpec() {
    return keySpec;
  }

  /** Returns the trust domain this CA signs for. */
  public SigningId trustDomain() {
    return trustDomain;
  }

  /** Returns the configuration the CA was made with. */
  public CaConfiguration configuration() {
    return config;
  }

  /**
   * Returns this CA, same key and root, signing under another configuration: a change of leaf
   * TTL, for example, that Consul applies without a new root.
   *
   * <p>The key and root stay, so the configuration's key spec is ignored, as in {@link #load}; a
   * new key spec needs a new root ({@link #generate}).
   *
   * @param configuration the new configuration
   * @return the CA under the new configuration
   */
  public BuiltInCaProvider withConfiguration(CaConfiguration configuration) {
    requireNonNull(configuration, "configuration");
    return new BuiltInCaProvider(trustDomain, configuration, clock, keySpec, privateKey, root);
  }

  /**
   * Returns the CA's private key as an unencrypted PKCS#8 PEM block ({@code PRIVATE KEY}), to
   * persist it for {@link #load}. Whoever holds it can issue any identity in the trust domain:
   * write it only to a file readable by its owner alone.
   *
   * @return the private key in PEM, ending in a newline
   */
  public String exportPrivateKeyPkcs8Pem() {
    return PrivateKeys.toPkcs8Pem(privateKey);
  }

  /** Returns the provider name, trust domain, key spec and root; never the key. */
  @Override
  public String toString() {
    return "BuiltInCaProvider[name=" + NAME + ", trustDomain=" + trustDomain.trustDomain()
        + ", keySpec=" + keySpec + ", root=" + root.getSubjectX500Principal().getName()
        + ", rootId=" + Certificates.sha1Fingerprint(root) + ", rootNotAfter=" + rootNotAfter
        + "]";
  }

  private void checkRootValid(Instant now) {
    // Review finding: only the end was checked, so a root whose start is still to come signed.
    if (now.isBefore(rootNotBefore)) {
      throw new IllegalStateException("root not yet valid: " + Certificates.sha1Fingerprint(root)
          + " starts at " + rootNotBefore + ", now is " + now);
    }
    if (now.isAfter(rootNotAfter)) {
      throw new IllegalStateException("root expired: " + Certificates.sha1Fingerprint(root)
          + " ended at " + rootNotAfter + ", now is " + now);
    }
  }

  private static X509Certificate parseRoot(String pem) {
    if (!pem.contains("-----BEGIN")) {
      throw new IllegalArgumentException("root certificate: no PEM-encoded data found");
    }
    try {
      return Certificates.parseOnePem(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("root certificate: " + e.getMessage(), e);
    }
  }

  private static List<String> uriSans(X509Certificate certificate) {
    return Certificates.uriSans(certificate, "root certificate");
  }
}
