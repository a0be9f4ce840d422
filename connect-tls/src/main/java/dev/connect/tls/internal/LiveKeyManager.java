package dev.connect.tls.internal;

import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.TlsStack;
import dev.connect.tls.X509Leaf;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key manager that presents its identity's current leaf ({@link ConnectIdentity#leaf()}) on
 * every handshake.
 *
 * <p>Each leaf generation gets its own alias, {@code leaf-<serial in hex>}, followed by {@code
 * .<n>} when the chain carries {@code n} intermediates, so that a leaf re-chained without its
 * cross-signed root is a generation of its own; key and chain are
 * looked up by alias from one immutable generation, so a handshake can never pair a new key with
 * an old chain. The previous generation stays resolvable for one rotation, for a handshake that
 * chose its alias just before a renewal. The issuers JSSE offers are ignored: they may be stale
 * (Netty's OpenSSL provider reads them once) and every Connect leaf chains to a current root.
 */
public final class LiveKeyManager extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(LiveKeyManager.class);

  /** One leaf generation: everything a handshake needs, read together. */
  record Generation(String alias, PrivateKey key, X509Certificate[] chain, X509Leaf leaf,
      Set<String> keyTypes) {
    /** Whether {@code other} is this generation's leaf: the same instance, or an equal one. */
    boolean presents(X509Leaf other) {
      return leaf == other || leaf.privateKey().equals(other.privateKey())
          && leaf.chain().equals(other.chain());
    }
  }

  private record Generations(Generation current, Generation previous) {
    Generation find(String alias) {
      if (current.alias.equals(alias)) {
        return current;
      }
      return previous != null && previous.alias.equals(alias) ? previous : null;
    }
  }

  private final ConnectIdentity identity;
  private final TlsStack stack;
  private final AtomicReference<Generations> generations = new AtomicReference<>();

  /**
   * Creates the key manager for the JDK's stack; nothing is read until a handshake asks.
   *
   * @param identity whose leaf to present
   */
  public LiveKeyManager(ConnectIdentity identity) {
    this(identity, TlsStack.JDK);
  }

  /**
   * Creates the key manager; nothing is read until a handshake asks.
   *
   * @param identity whose leaf to present
   * @param stack whose cryptography provider the key is converted for: a key of another
   *     provider would be translated again on every signature
   */
  public LiveKeyManager(ConnectIdentity identity, TlsStack stack) {
    this.identity = identity;
    this.stack = stack;
  }

  /**
   * Returns the alias of the current generation, reading the identity's leaf.
   *
   * @return the alias presented now
   * @throws RuntimeException if the identity cannot supply a leaf
   */
  public String currentAlias() {
    return current().alias;
  }

  Generation current() {
    X509Leaf leaf = identity.leaf();
    while (true) {
      Generations g = generations.get();
      if (g != null) {
        if (g.current.presents(leaf)) {
          return g.current;
        }
        if (g.previous != null && g.previous.presents(leaf)) {
          return g.previous; // a reader that raced a renewal; the newer one stays current
        }
        if (leaf.validAfter().isBefore(g.current.leaf.validAfter())) {
          return g.current; // an older leaf read before a renewal landed
        }
      }
      Generation next = generation(leaf);
      if (generations.compareAndSet(g, new Generations(next, g == null ? null : g.current))) {
        log.debug("{}: presenting {} from now on", identity, next.alias);
        return next;
      }
    }
  }

  private Generation generation(X509Leaf leaf) {
    X509Certificate[] chain = leaf.chain().toArray(new X509Certificate[0]);
    PrivateKey key = leaf.privateKey();
    String algorithm = chain[0].getPublicKey().getAlgorithm();
    if (!key.getAlgorithm().equals(algorithm) || stack == TlsStack.BOUNCY_CASTLE) {
      // JSSE requires the key's algorithm name to equal the certificate key's ("EC", not a
      // provider's "ECDSA"), and each stack signs fastest with its own provider's keys (BC
      // translates a SunEC key, curve included, on every signature): convert once per
      // generation.
      try {
        KeyFactory factory = stack == TlsStack.BOUNCY_CASTLE
            ? KeyFactory.getInstance(algorithm, BouncyCastle.provider())
            : KeyFactory.getInstance(algorithm);
        key = factory.generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot convert the leaf key to a " + algorithm
            + " key for JSSE, serial " + chain[0].getSerialNumber().toString(16), e);
      }
    }
    // A re-chained leaf (same serial, an expiring cross-signed root dropped) is a generation of
    // its own: Netty's OpenSSL key cache would otherwise keep serving the longer chain.
    String alias = "leaf-" + chain[0].getSerialNumber().toString(16)
        + (chain.length > 1 ? "." + (chain.length - 1) : "");
    return new Generation(alias, key, chain, leaf, keyTypes(chain[0], algorithm));
  }

  /**
   * Returns the key types this leaf answers to: the key algorithm, as SunJSSE asks ({@code
   * EC}, {@code RSA}); BouncyCastle's JSSE also asks for the TLS 1.2 server key exchange
   * ({@code ECDHE_ECDSA}, {@code ECDHE_RSA}) and, for a TLS 1.3 signature scheme bound to a
   * curve, {@code EC/<curve>} ({@code EC/secp256r1} for {@code ecdsa_secp256r1_sha256}), so a
   * P-256 leaf is never offered for a P-384 scheme.
   */
  private static Set<String> keyTypes(X509Certificate leaf, String algorithm) {
    if (algorithm.equals("RSA")) {
      return Set.of(algorithm, "ECDHE_RSA");
    }
    if (!algorithm.equals("EC")) {
      return Set.of(algorithm);
    }
    ASN1Encodable params = SubjectPublicKeyInfo.getInstance(leaf.getPublicKey().getEncoded())
        .getAlgorithm().getParameters();
    if (!(params instanceof ASN1ObjectIdentifier curve)) {
      return Set.of(algorithm, "ECDHE_ECDSA"); // explicit parameters: no TLS 1.3 scheme
    }
    String name = SECNamedCurves.getName(curve);
    if (name == null) {
      name = ECNamedCurveTable.getName(curve);
    }
    return name == null ? Set.of(algorithm, "ECDHE_ECDSA")
        : Set.of(algorithm, "ECDHE_ECDSA", algorithm + "/" + name);
  }

  private String alias(String... keyTypes) {
    Generation g;
    try {
      g = current();
    } catch (RuntimeException e) {
      log.warn("{}: no leaf to present: {}", identity, e.toString());
      return null;
    }
    for (String type : keyTypes) {
      if (type != null && g.keyTypes.contains(type)) {
        return g.alias;
      }
    }
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return keyTypes == null ? null : alias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers,
      SSLEngine engine) {
    return keyTypes == null ? null : alias(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generations g = generations.get();
    Generation found = g == null || alias == null ? null : g.find(alias);
    return found == null ? null : found.chain.clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generations g = generations.get();
    Generation found = g == null || alias == null ? null : g.find(alias);
    return found == null ? null : found.key;
  }

  @Override
  public String toString() {
    Generations g = generations.get();
    return "LiveKeyManager[identity=" + identity + ", alias="
        + (g == null ? "none yet" : g.current.alias) + "]";
  }
}
