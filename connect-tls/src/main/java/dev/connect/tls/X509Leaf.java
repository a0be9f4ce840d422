package dev.connect.tls;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A leaf certificate with its chain and private key: what a key manager presents in one
 * handshake, like java-spiffe's {@code X509Svid}. Immutable; a renewal is a new instance.
 *
 * <p>A {@link ConnectIdentity} should return the same instance for as long as its leaf does
 * not change: a key manager recognizes a leaf generation by identity first (and by its chain
 * and key when the instance differs), and converts the key for its TLS stack once per
 * generation.
 *
 * <p>{@link #toString()} shows the certificate's subject, serial and validity, and the key's
 * algorithm; never the key.
 */
public final class X509Leaf {
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final Instant validAfter;

  private X509Leaf(List<X509Certificate> chain, PrivateKey privateKey) {
    this.chain = chain;
    this.privateKey = privateKey;
    this.validAfter = chain.get(0).getNotBefore().toInstant();
  }

  /**
   * Returns the leaf {@code chain.get(0)} with its intermediates and {@code privateKey}.
   *
   * @param chain the leaf certificate followed by the intermediates to present, nearest the leaf
   *     first; copied
   * @param privateKey the private key of the leaf certificate
   * @return the leaf
   * @throws IllegalArgumentException if {@code chain} is empty, or if the key's algorithm is
   *     not the certificate key's (such as an RSA key for an EC certificate)
   */
  public static X509Leaf of(List<X509Certificate> chain, PrivateKey privateKey) {
    requireNonNull(chain, "chain");
    requireNonNull(privateKey, "privateKey");
    List<X509Certificate> copy = List.copyOf(chain);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("chain must hold at least the leaf certificate");
    }
    String certificateKey = copy.get(0).getPublicKey().getAlgorithm();
    if (!sameFamily(certificateKey, privateKey.getAlgorithm())) {
      throw new IllegalArgumentException("a " + privateKey.getAlgorithm()
          + " private key cannot belong to the " + certificateKey + " key of leaf serial "
          + copy.get(0).getSerialNumber().toString(16));
    }
    return new X509Leaf(copy, privateKey);
  }

  /** Returns the leaf certificate, the first of {@link #chain()}. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Returns the leaf followed by its intermediates; an immutable list. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** Returns the private key of the leaf certificate. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Returns the start of the leaf certificate's validity. */
  public Instant validAfter() {
    return validAfter;
  }

  /** Returns the leaf's subject, serial, validity and chain length, and the key's algorithm. */
  @Override
  public String toString() {
    X509Certificate leaf = chain.get(0);
    return "X509Leaf[subject=" + leaf.getSubjectX500Principal() + ", serial="
        + leaf.getSerialNumber().toString(16) + ", validAfter=" + validAfter + ", validBefore="
        + leaf.getNotAfter().toInstant() + ", intermediates=" + (chain.size() - 1) + ", key=<"
        + privateKey.getAlgorithm() + " private key>]";
  }

  /** BouncyCastle names EC keys "ECDSA"; the JDK names them "EC". */
  private static boolean sameFamily(String certificateKey, String privateKey) {
    return certificateKey.equals(privateKey)
        || ec(certificateKey) && ec(privateKey);
  }

  private static boolean ec(String algorithm) {
    return algorithm.equals("EC") || algorithm.equals("ECDSA");
  }
}
