package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;

/**
 * A leaf certificate together with its private key, as a {@link LeafIssuingBackend} issues it
 * (Consul's {@code IssuedCert} with {@code PrivateKeyPEM}). {@link #toString()} shows the
 * certificate's metadata, never the key.
 */
public final class IssuedLeaf {
  private final IssuedCertificate certificate;
  private final PrivateKey privateKey;

  /**
   * Pairs a certificate with its private key; whether they match is checked by whoever uses them
   * (the agent's cache does).
   *
   * @param certificate the leaf and its intermediates
   * @param privateKey the leaf's private key
   */
  public IssuedLeaf(IssuedCertificate certificate, PrivateKey privateKey) {
    this.certificate = requireNonNull(certificate, "certificate");
    this.privateKey = requireNonNull(privateKey, "privateKey");
  }

  /** Returns the certificate, its intermediates and its indexes. */
  public IssuedCertificate certificate() {
    return certificate;
  }

  /** Returns the private key; a secret, never to be logged. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Returns the certificate's identity, serial and validity; never the key. */
  @Override
  public String toString() {
    return "IssuedLeaf[" + certificate + ", key=<redacted " + privateKey.getAlgorithm() + ">]";
  }
}
