package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * A leaf certificate for tests, its private key, and the chain it presents: what a Connect
 * service would hold, or a deliberately broken version of it.
 *
 * <pre>{@code
 * TestCa root = TestCertificates.root().build();
 * TestLeaf web = root.leaf("web").build();
 * SSLContext context = web.sslContext(root.certificate());
 * String pem = web.chainPem();
 * }</pre>
 *
 * <p>Immutable and thread-safe. The private key is reachable ({@link #privateKey()}, {@link
 * #exportPrivateKeyPkcs8Pem()}): this is test material.
 */
public final class TestLeaf {
  private final X509Certificate certificate;
  private final KeyPair keyPair;
  private final List<X509Certificate> chain;
  private final X509Certificate anchor;

  private TestLeaf(X509Certificate certificate, KeyPair keyPair, List<X509Certificate> chain,
      X509Certificate anchor) {
    this.certificate = certificate;
    this.keyPair = keyPair;
    this.chain = List.copyOf(chain);
    this.anchor = anchor;
  }

  /** Returns the leaf certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Returns what a peer presents: this leaf first, then the intermediates and cross-signed
   * certificates up to, but without, the trust anchor.
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** Returns the trust anchor the leaf chains to: its issuer's root, or itself if self-signed. */
  public X509Certificate anchor() {
    return anchor;
  }

  /** Returns the private key. Test material only. */
  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** Returns the key pair. Test material only. */
  public KeyPair keyPair() {
    return keyPair;
  }

  /** Returns the first URI SAN, the SPIFFE ID a Connect peer reads, if there is one. */
  public Optional<String> uri() {
    List<String> uris = Sans.uris(certificate);
    return uris.isEmpty() ? Optional.empty() : Optional.of(uris.get(0));
  }

  /** Returns the leaf certificate as one PEM block ending in a newline. */
  public String certificatePem() {
    return Pki.pem(List.of(certificate));
  }

  /** Returns {@link #chain()} as concatenated PEM blocks, leaf first: Consul's {@code CertPEM}. */
  public String chainPem() {
    return Pki.pem(chain);
  }

  /** Returns the private key as an unencrypted PKCS#8 PEM block. Test material only. */
  public String exportPrivateKeyPkcs8Pem() {
    return Pki.pkcs8Pem(keyPair.getPrivate());
  }

  /**
   * Returns a key manager that always presents this leaf and its chain, under the alias {@code
   * leaf-<serial in hex>}, whatever key type or issuers the peer asks for.
   */
  public X509ExtendedKeyManager keyManager() {
    return new FixedKeyManager("leaf-" + Pki.hex(certificate.getSerialNumber()),
        keyPair.getPrivate(), chain.toArray(new X509Certificate[0]));
  }

  /**
   * Returns a new in-memory PKCS#12 key store holding the key and chain under the alias {@code
   * leaf}.
   *
   * @param password the password of the key entry; the caller keeps and clears it
   * @return the key store
   */
  public KeyStore toKeyStore(char[] password) {
    requireNonNull(password, "password");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("leaf", keyPair.getPrivate(), password,
          chain.toArray(new X509Certificate[0]));
      return store;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the JDK cannot make an in-memory PKCS12 key store", e);
    }
  }

  /**
   * Returns a TLS context that presents this leaf and trusts {@code roots} with the JDK's own
   * PKIX trust manager ({@link TestCertificates#trustManager(X509Certificate...)}). It knows
   * nothing of SPIFFE IDs or intentions: a plain peer, to face the code under test.
   *
   * @param roots the trust anchors for the peer's chain
   * @return a new context
   */
  public SSLContext sslContext(X509Certificate... roots) {
    return sslContext(TestCertificates.trustManager(roots));
  }

  /**
   * Returns a TLS context that presents this leaf and validates peers against {@code roots} at
   * the instant {@code clock} reads ({@link TestCertificates#trustManager(Clock,
   * X509Certificate...)}): for handshakes on a {@link FakeTime}. Like {@link
   * #sslContext(X509Certificate...)}, it knows nothing of SPIFFE IDs or intentions.
   *
   * @param clock the source of the validation date
   * @param roots the trust anchors for the peer's chain
   * @return a new context
   */
  public SSLContext sslContext(Clock clock, X509Certificate... roots) {
    return sslContext(TestCertificates.trustManager(clock, roots));
  }

  private SSLContext sslContext(javax.net.ssl.X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {keyManager()},
          new javax.net.ssl.TrustManager[] {trustManager}, Pki.RANDOM);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS SSLContext in this JVM", e);
    }
  }

  /** Returns the subject, serial, URI SANs and validity; never the key. */
  @Override
  public String toString() {
    return "TestLeaf[" + Sans.describe(certificate) + "]";
  }

  /**
   * Builds a leaf, in Consul 1.10's profile unless told otherwise: EC P-256; subject {@code
   * CN=<service>.svc.default.<first 8 of the cluster ID>.consul}; the single URI SAN {@code
   * spiffe://<trust domain>/ns/default/dc/dc1/svc/<service>}; key usage (critical)
   * digitalSignature, keyEncipherment, dataEncipherment, keyAgreement; extended key usage
   * clientAuth and serverAuth; basic constraints (critical) CA:FALSE; subject key identifier
   * the SHA-256 of its key, authority key identifier the issuer's; valid from a minute before
   * the CA's now for 72 hours.
   *
   * <p>Each method that departs from the profile is named after what the test wants to see
   * refused. Mutable, for one thread; each option may be set once ({@link
   * IllegalStateException} names the earlier value), and the validity options count as one.
   */
  public static final class Builder extends CertificateOptions<Builder> {
    private static final Duration LEAF_TTL = Duration.ofHours(72);
    private static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final int CONNECT_KEY_USAGE = KeyUsage.digitalSignature
        | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment | KeyUsage.keyAgreement;

    private final TestCa issuer;
    private final String service;
    private String trustDomain;
    private String datacenter = "dc1";
    private String namespace = "default";
    private String uri;
    private final List<String> dnsNames = new ArrayList<>();
    private boolean noUri;
    private boolean selfSigned;
    private int keyUsage = CONNECT_KEY_USAGE;
    private List<KeyPurposeId> extendedKeyUsage =
        List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth);

    Builder(TestCa issuer, String service) {
      super(issuer.clock());
      this.issuer = issuer;
      this.service = service;
      this.trustDomain = issuer.trustDomain();
      SpiffeNames.serviceUri(trustDomain, namespace, datacenter, service);
    }

    /**
     * Sets the datacenter in the SPIFFE ID. Default: {@code dc1}.
     *
     * @param datacenter such as {@code dc2}
     * @return this builder
     */
    public Builder datacenter(String datacenter) {
      options.set("datacenter", requireNonNull(datacenter, "datacenter"));
      SpiffeNames.serviceUri(trustDomain, namespace, datacenter, service);
      this.datacenter = datacenter;
      return this;
    }

    /**
     * Sets the namespace in the SPIFFE ID (a Consul Enterprise feature our CA refuses).
     * Default: {@code default}.
     *
     * @param namespace such as {@code team-a}
     * @return this builder
     */
    public Builder namespace(String namespace) {
      options.set("namespace", requireNonNull(namespace, "namespace"));
      SpiffeNames.serviceUri(trustDomain, namespace, datacenter, service);
      this.namespace = namespace;
      return this;
    }

    /**
     * Puts the SPIFFE ID in another trust domain, while the issuer stays this CA: a leaf a
     * Connect peer must refuse ("wrong trust domain"). Default: the issuer's trust domain.
     *
     * @param trustDomain such as {@code 0000aaaa-1111-2222-3333-444455556666.consul}
     * @return this builder
     */
    public Builder trustDomain(String trustDomain) {
      options.set("trustDomain", requireNonNull(trustDomain, "trustDomain"));
      SpiffeNames.serviceUri(trustDomain, namespace, datacenter, service);
      this.trustDomain = trustDomain;
      return this;
    }

    /**
     * Replaces the SPIFFE ID with {@code uri}, written as given (it need not be valid): for
     * tests of parsing, such as an agent ID or a {@code https} URI.
     *
     * @param uri the only URI SAN
     * @return this builder
     */
    public Builder uri(String uri) {
      options.set("uri", requireNonNull(uri, "uri"));
      this.uri = uri;
      return this;
    }

    /**
     * Adds a DNS name SAN (Connect leaves carry none unless the CSR asked). May be called more
     * than once.
     *
     * @param dnsName such as {@code web.service.consul}
     * @return this builder
     */
    public Builder dnsName(String dnsName) {
      dnsNames.add(requireNonNull(dnsName, "dnsName"));
      return this;
    }

    /**
     * Leaves out every URI SAN: a certificate with no SPIFFE ID.
     *
     * @return this builder
     */
    public Builder noUri() {
      options.set("uri", "none");
      this.noUri = true;
      return this;
    }

    /**
     * Signs the leaf with its own key (issuer = subject) instead of the CA's: a leaf no chain
     * leads from. Its anchor and chain are itself.
     *
     * @return this builder
     */
    public Builder selfSigned() {
      options.set("selfSigned", true);
      this.selfSigned = true;
      return this;
    }

    /**
     * Allows only client authentication in the extended key usage: a server presenting this
     * leaf must be refused.
     *
     * @return this builder
     */
    public Builder clientAuthOnly() {
      options.set("extendedKeyUsage", "clientAuth only");
      this.extendedKeyUsage = List.of(KeyPurposeId.id_kp_clientAuth);
      return this;
    }

    /**
     * Allows only server authentication in the extended key usage: a client presenting this
     * leaf must be refused.
     *
     * @return this builder
     */
    public Builder serverAuthOnly() {
      options.set("extendedKeyUsage", "serverAuth only");
      this.extendedKeyUsage = List.of(KeyPurposeId.id_kp_serverAuth);
      return this;
    }

    /**
     * Leaves out the extended key usage extension, which then allows any use.
     *
     * @return this builder
     */
    public Builder noExtendedKeyUsage() {
      options.set("extendedKeyUsage", "none");
      this.extendedKeyUsage = List.of();
      return this;
    }

    /**
     * Sets the key usage to keyEncipherment alone, without digitalSignature: a TLS 1.3 peer
     * cannot sign its handshake with the key, and the JDK refuses the certificate.
     *
     * @return this builder
     */
    public Builder withoutDigitalSignature() {
      options.set("keyUsage", "keyEncipherment only");
      this.keyUsage = KeyUsage.keyEncipherment;
      return this;
    }

    /**
     * Signs the certificate.
     *
     * @return the leaf
     */
    public TestLeaf build() {
      Validity validity = validityAt(BACKDATE, LEAF_TTL, LEAF_TTL);
      String id = SpiffeNames.serviceUri(trustDomain, namespace, datacenter, service);
      KeyPair keys = keyPairOrGenerate();
      X500Name name = subjectOr(() -> Pki.commonName(
          SpiffeNames.serviceCn(service, namespace, issuer.trustDomain())));
      X500Name issuerName = selfSigned ? name : issuer.subject();
      X509v3CertificateBuilder b = Pki.builder(issuerName, serialOrRandom(),
          validity.notBefore(), validity.notAfter(), name, keys.getPublic());
      Pki.add(b, Extension.keyUsage, true, new KeyUsage(keyUsage));
      if (!extendedKeyUsage.isEmpty()) {
        Pki.add(b, Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(extendedKeyUsage.toArray(new KeyPurposeId[0])));
      }
      Pki.add(b, Extension.basicConstraints, true, new BasicConstraints(false));
      Pki.add(b, Extension.subjectKeyIdentifier, false, Pki.subjectKeyId(keys.getPublic()));
      Pki.add(b, Extension.authorityKeyIdentifier, false, selfSigned
          ? new AuthorityKeyIdentifier(Pki.keyId(keys.getPublic()))
          : Pki.authorityKeyId(issuer.certificate()));
      List<GeneralName> names = new ArrayList<>();
      if (!noUri) {
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier,
            uri != null ? uri : id));
        for (String extra : extraUris) {
          names.add(new GeneralName(GeneralName.uniformResourceIdentifier, extra));
        }
      }
      for (String dns : dnsNames) {
        names.add(new GeneralName(GeneralName.dNSName, dns));
      }
      if (!names.isEmpty()) {
        // RFC 5280 4.2.1.6, and Consul 1.11+: with an empty subject the SAN is critical.
        Pki.add(b, Extension.subjectAlternativeName, name.getRDNs().length == 0,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      X509Certificate leaf = Pki.sign(b,
          selfSigned ? keys.getPrivate() : issuer.privateKey());
      if (selfSigned) {
        return new TestLeaf(leaf, keys, List.of(leaf), leaf);
      }
      List<X509Certificate> path = new ArrayList<>();
      path.add(leaf);
      path.addAll(issuer.chain());
      return new TestLeaf(leaf, keys, path, issuer.anchor());
    }
  }

  /** Presents one fixed key and chain, whatever the peer asks for. */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private final String alias;
    private final PrivateKey key;
    private final X509Certificate[] chain;

    FixedKeyManager(String alias, PrivateKey key, X509Certificate[] chain) {
      this.alias = alias;
      this.key = key;
      this.chain = chain;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {alias};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return alias;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers,
        SSLEngine engine) {
      return alias;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[] {alias};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers,
        SSLEngine engine) {
      return alias;
    }

    @Override
    public X509Certificate[] getCertificateChain(String requested) {
      return alias.equals(requested) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String requested) {
      return alias.equals(requested) ? key : null;
    }
  }
}
