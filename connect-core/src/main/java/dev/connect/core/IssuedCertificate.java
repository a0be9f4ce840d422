package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A leaf certificate the CA signed from a certificate signing request: Consul's {@code
 * IssuedCert} without the private key, which never leaves the agent that made it.
 *
 * @param certificate the leaf
 * @param intermediates certificates to present after the leaf (for example the active root
 *     cross-signed by the previous one); may be empty
 * @param service the identity in the leaf's URI SAN
 * @param createIndex the state index at which it was issued
 * @param modifyIndex equal to {@code createIndex} for a fresh certificate
 */
public record IssuedCertificate(X509Certificate certificate, List<X509Certificate> intermediates,
    ServiceId service, long createIndex, long modifyIndex) {

  /** Checks that every value is present and copies the list. */
  public IssuedCertificate {
    requireNonNull(certificate, "certificate");
    intermediates = List.copyOf(requireNonNull(intermediates, "intermediates"));
    requireNonNull(service, "service");
  }

  /** Returns the serial number. */
  public BigInteger serialNumber() {
    return certificate.getSerialNumber();
  }

  /** Returns the serial number as Consul writes it: lower-case colon-hex, {@code "0b"}. */
  public String serialNumberHex() {
    return Certificates.serialHex(certificate.getSerialNumber());
  }

  /** Returns the start of validity (Consul's {@code ValidAfter}). */
  public Instant validAfter() {
    return certificate.getNotBefore().toInstant();
  }

  /** Returns the end of validity (Consul's {@code ValidBefore}). */
  public Instant validBefore() {
    return certificate.getNotAfter().toInstant();
  }

  /** Returns the leaf followed by the intermediates, for a key manager. */
  public List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>(1 + intermediates.size());
    chain.add(certificate);
    chain.addAll(intermediates);
    return List.copyOf(chain);
  }

  /** Returns the chain as concatenated PEM blocks, each ending in a newline (Consul's CertPEM). */
  public String certPem() {
    return Certificates.toPem(chain());
  }

  /** Returns a one-line description: identity, serial and validity. */
  @Override
  public String toString() {
    return "IssuedCertificate[" + service + ", serial=" + serialNumberHex()
        + ", validAfter=" + validAfter() + ", validBefore=" + validBefore() + "]";
  }
}
