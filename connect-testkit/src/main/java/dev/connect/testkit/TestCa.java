package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * A certificate authority for tests: a CA certificate, its key pair, and the path from it to a
 * trust anchor. It issues leaves ({@link #leaf(String)}), intermediates ({@link
 * #intermediate()}) and cross-signed certificates ({@link #crossSignedBy(TestCa)}).
 *
 * <pre>{@code
 * TestCa root = TestCertificates.root("7f3c0a11-0000-4000-8000-000000000001.consul").build();
 * TestLeaf web = root.leaf("web").build();
 * TestLeaf old = root.leaf("web").expired().build();
 * TestCa intermediate = root.intermediate().build();
 * TestLeaf viaIntermediate = intermediate.leaf("db").build();   // chain: leaf, intermediate
 * }</pre>
 *
 * <p>A root made by {@link TestCertificates#root(String)} has the profile of Consul's built-in
 * CA: EC P-256, a {@code pri-...} common name, the URI SAN
 * {@code spiffe://<trust domain>}, basic constraints CA:TRUE, key usage digitalSignature,
 * keyCertSign and cRLSign, SHA-256 key identifiers, valid from now for ten years. An
 * intermediate has the profile of a secondary datacenter's: the same URI SAN, CA:TRUE with a
 * path length of 0, valid from a minute ago for a year.
 *
 * <p>Immutable and thread-safe. The private key is reachable ({@link #privateKey()}, {@link
 * #exportPrivateKeyPkcs8Pem()}): this is test material, never to be trusted outside a test.
 */
public final class TestCa {
  private final String trustDomain;
  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final List<X509Certificate> chain;
  private final X509Certificate anchor;
  private final Clock clock;

  private TestCa(String trustDomain, X509Certificate certificate, KeyPair keyPair,
      List<X509Certificate> chain, X509Certificate anchor, Clock clock) {
    this.trustDomain = trustDomain;
    this.certificate = certificate;
    this.keyPair = keyPair;
    this.chain = List.copyOf(chain);
    this.anchor = anchor;
    this.clock = clock;
  }

  /** Starts a root; {@link TestCertificates#root(String)} is the public entry. */
  static Builder rootBuilder(String trustDomain) {
    return new Builder(trustDomain, null);
  }

  /**
   * Returns a test CA that signs with a key and root certificate from elsewhere, such as a
   * built-in CA's, so that a test can issue broken leaves (expired, two URI SANs...) that chain
   * to a real CA's root:
   *
   * <pre>{@code
   * BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of(td), config, time);
   * TestCa same = TestCa.fromPem(ca.rootCertificatePem(), ca.exportPrivateKeyPkcs8Pem(), time);
   * }</pre>
   *
   * <p>The trust domain is read from the certificate's URI SAN {@code spiffe://<trust domain>}.
   *
   * @param certificatePem the CA certificate, one PEM block; it is taken as the trust anchor
   * @param privateKeyPem its private key, PKCS#8, PKCS#1 or SEC1 PEM
   * @param clock what "now" is for the certificates this CA issues
   * @return the test CA, a root
   * @throws IllegalArgumentException if either PEM cannot be read, the key does not belong to
   *     the certificate, or the certificate has no URI SAN {@code spiffe://<trust domain>}
   */
  public static TestCa fromPem(String certificatePem, String privateKeyPem, Clock clock) {
    requireNonNull(certificatePem, "certificatePem");
    requireNonNull(privateKeyPem, "privateKeyPem");
    requireNonNull(clock, "clock");
    X509Certificate root = Pki.parseCertificate(certificatePem);
    PrivateKey key = Pki.parsePrivateKey(privateKeyPem);
    if (!Pki.matches(key, root.getPublicKey())) {
      throw new IllegalArgumentException("the private key does not belong to the certificate "
          + Sans.describe(root));
    }
    String trustDomain = Sans.uris(root).stream()
        .filter(u -> u.startsWith("spiffe://") && u.indexOf('/', "spiffe://".length()) < 0)
        .map(u -> u.substring("spiffe://".length())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the certificate has no URI SAN"
            + " spiffe://<trust domain>: " + Sans.describe(root)));
    return new TestCa(SpiffeNames.trustDomain(trustDomain), root,
        new KeyPair(root.getPublicKey(), key), List.of(), root, clock);
  }

  /**
   * Starts a leaf for {@code service}, signed by this CA, in its trust domain and datacenter
   * {@code dc1}; see {@link TestLeaf.Builder} for its profile and the variants.
   *
   * @param service the service name, such as {@code web}
   * @return the builder
   * @throws IllegalArgumentException if {@code service} is not a valid SPIFFE path segment
   */
  public TestLeaf.Builder leaf(String service) {
    return new TestLeaf.Builder(this, requireNonNull(service, "service"));
  }

  /**
   * Starts an intermediate CA signed by this one, as a secondary datacenter's: same trust
   * domain and URI SAN, CA:TRUE with path length 0, valid from a minute ago for a year.
   *
   * @return the builder
   */
  public Builder intermediate() {
    return new Builder(trustDomain, this);
  }

  /**
   * Returns this CA cross-signed by {@code signer}, as Consul's rotation makes it: this CA's
   * subject, key and extensions, issued by {@code signer}, with the signer's key identifier as
   * authority key identifier, valid from a minute before the signer's now for 7 days. The
   * returned CA still signs with this CA's key; its leaves carry the cross-signed certificate in
   * their chain and chain to the signer's anchor.
   *
   * <pre>{@code
   * TestCa oldRoot = TestCertificates.root(td).build();
   * TestCa newRoot = TestCertificates.root(td).build();
   * TestLeaf leaf = newRoot.crossSignedBy(oldRoot).leaf("web").build();
   * // leaf.chain() is [leaf, newRoot cross-signed]; it validates against oldRoot alone
   * }</pre>
   *
   * @param signer the CA whose key signs, usually the old root
   * @return this CA, reached through {@code signer}
   */
  public TestCa crossSignedBy(TestCa signer) {
    requireNonNull(signer, "signer");
    X509CertificateHolder other = holder(certificate);
    Instant notBefore = signer.now().minus(Duration.ofMinutes(1));
    X509v3CertificateBuilder builder = Pki.builder(
        holder(signer.certificate).getSubject(), Pki.randomSerial(), notBefore,
        notBefore.plus(Duration.ofDays(7)), other.getSubject(), other.getSubjectPublicKeyInfo());
    for (ASN1ObjectIdentifier oid : other.getExtensions().getExtensionOIDs()) {
      if (oid.equals(Extension.authorityKeyIdentifier)) {
        Pki.add(builder, oid, false, Pki.authorityKeyId(signer.certificate));
      } else {
        Extension e = other.getExtension(oid);
        Pki.add(builder, oid, e.isCritical(), e.getParsedValue());
      }
    }
    X509Certificate cross = Pki.sign(builder, signer.keyPair.getPrivate());
    List<X509Certificate> path = new ArrayList<>();
    path.add(cross);
    path.addAll(signer.chain);
    return new TestCa(trustDomain, cross, keyPair, path, signer.anchor, clock);
  }

  /** Returns the trust domain, such as {@code 7f3c0a11-0000-4000-8000-000000000001.consul}. */
  public String trustDomain() {
    return trustDomain;
  }

  /** Returns this CA's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Returns the certificates a leaf of this CA presents after itself: this CA's certificate and
   * those above it, up to but without the trust anchor. Empty for a root.
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** Returns the trust anchor this CA chains to: its own certificate for a root. */
  public X509Certificate anchor() {
    return anchor;
  }

  /** Returns the CA's private key. Test material only. */
  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** Returns the CA's key pair. Test material only. */
  public KeyPair keyPair() {
    return keyPair;
  }

  /** Returns the clock the CA's certificates were dated by, and its leaves will be. */
  public Clock clock() {
    return clock;
  }

  /** Returns this CA's certificate as one PEM block ending in a newline. */
  public String certificatePem() {
    return Pki.pem(List.of(certificate));
  }

  /** Returns the CA's private key as an unencrypted PKCS#8 PEM block. Test material only. */
  public String exportPrivateKeyPkcs8Pem() {
    return Pki.pkcs8Pem(keyPair.getPrivate());
  }

  /**
   * Returns a trust manager that trusts this CA's anchor, as {@link
   * TestCertificates#trustManager(X509Certificate...)} does.
   */
  public X509ExtendedTrustManager trustManager() {
    return TestCertificates.trustManager(anchor);
  }

  /** Returns the subject, serial, trust domain and end date; never the key. */
  @Override
  public String toString() {
    return "TestCa[" + certificate.getSubjectX500Principal().getName() + ", serial "
        + Pki.hex(certificate.getSerialNumber()) + ", trustDomain " + trustDomain
        + ", notAfter " + certificate.getNotAfter().toInstant() + "]";
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  X500Name subject() {
    return holder(certificate).getSubject();
  }

  static X509CertificateHolder holder(X509Certificate certificate) {
    try {
      return new X509CertificateHolder(certificate.getEncoded());
    } catch (java.io.IOException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be parsed by BouncyCastle: "
          + certificate.getSubjectX500Principal(), e);
    }
  }

  /**
   * Builds a root ({@link TestCertificates#root(String)}) or an intermediate ({@link
   * TestCa#intermediate()}). Mutable, for one thread; each option may be set once ({@link
   * IllegalStateException} names the earlier value), and the validity options count as one.
   */
  public static final class Builder extends CertificateOptions<Builder> {
    private static final Duration ROOT_TTL = Duration.ofDays(3650);
    private static final Duration INTERMEDIATE_TTL = Duration.ofDays(365);
    private static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final Duration EXPIRED_LIFETIME = Duration.ofDays(1);

    private final String trustDomain;
    private final TestCa parent;
    private boolean nameConstrained;
    private Integer pathLength;
    private boolean uriSan = true;
    private String uri;
    private boolean certSign = true;

    Builder(String trustDomain, TestCa parent) {
      super(parent == null ? Clock.systemUTC() : parent.clock);
      SpiffeNames.trustDomain(requireNonNull(trustDomain, "trustDomain"));
      this.trustDomain = trustDomain;
      this.parent = parent;
    }

    /**
     * Adds a critical name constraints extension permitting only URIs whose host is this trust
     * domain, so that path validation itself refuses a leaf of another trust domain below this
     * CA. Consul's roots carry none. Default: none.
     *
     * <p>Sharp edge: the JDK's PKIX validator ignores the name constraints of the trust anchor's
     * own certificate (it applies only those given to {@link java.security.cert.TrustAnchor}'s
     * constructor), so for a JDK peer put them on an {@link TestCa#intermediate()}. OpenSSL
     * applies them on the root too.
     *
     * @return this builder
     */
    public Builder nameConstrained() {
      options.set("nameConstrained", true);
      this.nameConstrained = true;
      return this;
    }

    /**
     * Sets the path length constraint. Default: none for a root, 0 for an intermediate.
     *
     * @param pathLength how many intermediates may follow; 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder pathLength(int pathLength) {
      if (pathLength < 0) {
        throw new IllegalArgumentException("pathLength must be 0 or more: " + pathLength);
      }
      options.set("pathLength", pathLength);
      this.pathLength = pathLength;
      return this;
    }

    /**
     * Leaves out the URI SAN {@code spiffe://<trust domain>}, as a CA from outside Connect.
     *
     * @return this builder
     */
    public Builder noUriSan() {
      options.set("uriSan", "none");
      this.uriSan = false;
      return this;
    }

    /**
     * Replaces the URI SAN {@code spiffe://<trust domain>} with {@code uri}, written as given (it
     * need not be valid): a CA whose identity a Connect peer must refuse, such as a service's
     * SPIFFE ID.
     *
     * @param uri the URI SAN
     * @return this builder
     */
    public Builder uri(String uri) {
      options.set("uriSan", requireNonNull(uri, "uri"));
      this.uri = uri;
      return this;
    }

    /**
     * Leaves keyCertSign and cRLSign out of the key usage, keeping digitalSignature: a CA:TRUE
     * certificate that may not sign certificates, which a CA must refuse to load.
     *
     * @return this builder
     */
    public Builder noCertSign() {
      options.set("keyUsage", "digitalSignature only");
      this.certSign = false;
      return this;
    }

    /**
     * Generates the key and signs the certificate: self-signed for a root, by the parent for
     * an intermediate.
     *
     * @return the CA
     */
    public TestCa build() {
      Validity validity = validityAt(
          parent == null ? Duration.ZERO : BACKDATE,
          parent == null ? ROOT_TTL : INTERMEDIATE_TTL, EXPIRED_LIFETIME);
      KeyPair keys = keyPairOrGenerate();
      X500Name name = subjectOr(() -> Pki.commonName(
          SpiffeNames.caCn(parent == null ? "pri" : "sec", trustDomain)));
      X500Name issuer = parent == null ? name : parent.subject();
      X509v3CertificateBuilder b = Pki.builder(issuer, serialOrRandom(),
          validity.notBefore(), validity.notAfter(), name, keys.getPublic());
      Pki.add(b, Extension.keyUsage, true, new KeyUsage(certSign
          ? KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign
          : KeyUsage.digitalSignature));
      Integer length = pathLength != null ? pathLength : parent == null ? null : 0;
      Pki.add(b, Extension.basicConstraints, true,
          length == null ? new BasicConstraints(true) : new BasicConstraints(length));
      Pki.add(b, Extension.subjectKeyIdentifier, false, Pki.subjectKeyId(keys.getPublic()));
      Pki.add(b, Extension.authorityKeyIdentifier, false, parent == null
          ? new org.bouncycastle.asn1.x509.AuthorityKeyIdentifier(Pki.keyId(keys.getPublic()))
          : Pki.authorityKeyId(parent.certificate));
      List<GeneralName> uris = new ArrayList<>();
      if (uriSan) {
        uris.add(new GeneralName(GeneralName.uniformResourceIdentifier,
            uri != null ? uri : "spiffe://" + trustDomain));
      }
      for (String extra : extraUris) {
        uris.add(new GeneralName(GeneralName.uniformResourceIdentifier, extra));
      }
      if (!uris.isEmpty()) {
        Pki.add(b, Extension.subjectAlternativeName, false,
            new GeneralNames(uris.toArray(new GeneralName[0])));
      }
      if (nameConstrained) {
        Pki.add(b, Extension.nameConstraints, true, new NameConstraints(new GeneralSubtree[] {
            new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier,
                trustDomain))}, null));
      }
      X509Certificate certificate = Pki.sign(b,
          parent == null ? keys.getPrivate() : parent.keyPair.getPrivate());
      if (parent == null) {
        return new TestCa(trustDomain, certificate, keys, List.of(), certificate,
            clock());
      }
      List<X509Certificate> path = new ArrayList<>();
      path.add(certificate);
      path.addAll(parent.chain);
      return new TestCa(trustDomain, certificate, keys, path, parent.anchor, clock());
    }
  }
}
