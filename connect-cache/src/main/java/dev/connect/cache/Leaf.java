package dev.connect.cache;

import static java.util.Objects.requireNonNull;

import dev.connect.core.IssuedCertificate;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A leaf certificate the cache holds for a service, with the private key it made for it: what a
 * key manager presents. Immutable; a renewal makes a new instance.
 *
 * <p>{@link #toString()} shows the certificate's identity, serial and validity, never the key.
 */
public final class Leaf {
  private final IssuedCertificate certificate;
  private final PrivateKey privateKey;
  // Read on every hit: X509Certificate#getNotAfter clones a Date on each call.
  private final long validBeforeMillis;

  Leaf(IssuedCertificate certificate, PrivateKey privateKey) {
    this.certificate = requireNonNull(certificate, "certificate");
    this.privateKey = requireNonNull(privateKey, "privateKey");
    this.validBeforeMillis = certificate.validBefore().toEpochMilli();
  }

  /** Returns the end of validity in epoch milliseconds, for the hit path. */
  long validBeforeMillis() {
    return validBeforeMillis;
  }

  /** Returns this leaf with {@code other}'s intermediates: the same certificate re-chained. */
  Leaf withCertificate(IssuedCertificate other) {
    return new Leaf(other, privateKey);
  }

  /**
   * Returns the certificate as the CA issued it, with only the intermediates it may present now
   * ({@link dev.connect.core.CaRoots#presentable}): the cache drops a cross-signed root from the
   * chain before it expires or its issuer is pruned.
   */
  public IssuedCertificate certificate() {
    return certificate;
  }

  /** Returns the private key of the certificate; it was made in this process and never sent. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Returns the leaf followed by its intermediates, for a key manager. */
  public List<X509Certificate> chain() {
    return certificate.chain();
  }

  /** Returns the start of validity. */
  public Instant validAfter() {
    return certificate.validAfter();
  }

  /** Returns the end of validity. */
  public Instant validBefore() {
    return certificate.validBefore();
  }

  /** Returns the certificate's identity, serial and validity, and the key's algorithm only. */
  @Override
  public String toString() {
    return "Leaf[" + certificate + ", key=<" + privateKey.getAlgorithm() + " private key>]";
  }
}
