package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One trusted CA root certificate of a Connect cluster, with the fields Consul publishes for it in
 * {@code /v1/connect/ca/roots}.
 *
 * <p>Exactly one root of a {@link CaRoots} is {@link #active()}: it signs new leaves. Older roots
 * stay listed, and trusted, after a rotation so that leaves they signed keep working until they
 * are renewed. {@link #intermediates()} holds the certificates a leaf signed under this root must
 * present after itself; after a rotation that is the new root cross-signed by the old one, so the
 * new leaves chain to either root.
 *
 * @param id the SHA-1 fingerprint of the DER certificate in lower-case colon-hex (Consul's ID)
 * @param name a display name, {@code "Consul CA Root Cert"} for the built-in CA
 * @param serialNumber the certificate's serial number
 * @param signingKeyId colon-hex subject key identifier of the certificate that signs leaves
 * @param externalTrustDomain the cluster ID (trust domain without {@code .consul}) that made it
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param certificate the root certificate
 * @param intermediates certificates a leaf presents between itself and this root; may be empty
 * @param active whether this root signs new leaves
 * @param privateKeyType the family of the root's key
 * @param privateKeyBits the size of the root's key in bits (256, 384, 2048, 4096, ...)
 * @param rotatedOutAt when this root stopped being active; empty while it is active
 * @param createIndex the state index at which the root was added
 * @param modifyIndex the state index at which the root last changed
 */
public record CaRoot(
    String id,
    String name,
    BigInteger serialNumber,
    String signingKeyId,
    String externalTrustDomain,
    Instant notBefore,
    Instant notAfter,
    X509Certificate certificate,
    List<X509Certificate> intermediates,
    boolean active,
    KeyType privateKeyType,
    int privateKeyBits,
    Optional<Instant> rotatedOutAt,
    long createIndex,
    long modifyIndex) {

  /** Checks that every value is present and copies the list. */
  public CaRoot {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
    requireNonNull(serialNumber, "serialNumber");
    requireNonNull(signingKeyId, "signingKeyId");
    requireNonNull(externalTrustDomain, "externalTrustDomain");
    requireNonNull(notBefore, "notBefore");
    requireNonNull(notAfter, "notAfter");
    requireNonNull(certificate, "certificate");
    intermediates = List.copyOf(requireNonNull(intermediates, "intermediates"));
    requireNonNull(privateKeyType, "privateKeyType");
    requireNonNull(rotatedOutAt, "rotatedOutAt");
    if (privateKeyBits <= 0) {
      throw new IllegalArgumentException("privateKeyBits must be positive: " + privateKeyBits);
    }
  }

  /** Returns the root certificate as one PEM block ending in a newline. */
  public String rootCertPem() {
    return Certificates.toPem(certificate);
  }

  /** Returns each intermediate as a PEM block ending in a newline. */
  public List<String> intermediateCertPems() {
    return intermediates.stream().map(Certificates::toPem).toList();
  }

  /**
   * Returns the low 64 bits of the serial number, the unsigned value Consul puts in JSON as
   * {@code SerialNumber}.
   */
  public long serialNumberLow64() {
    return serialNumber.longValue();
  }

  /** Returns a one-line description: ID, name, active flag and validity. */
  @Override
  public String toString() {
    return "CaRoot[id=" + id + ", name=" + name + ", active=" + active
        + ", notBefore=" + notBefore + ", notAfter=" + notAfter + "]";
  }
}
