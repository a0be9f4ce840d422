package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.core.Certificates;
import dev.connect.core.IssuedCertificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The body of {@code GET /v1/agent/connect/ca/leaf/<service>}: a leaf certificate and its private
 * key as Consul's agent hands them out. {@code SerialNumber} is colon hex ({@code 0b}), {@code
 * CertPEM} holds the leaf only (no chain), {@code ValidAfter}/{@code ValidBefore} are whole seconds.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param serialNumber {@code SerialNumber}
 * @param certPem {@code CertPEM}
 * @param privateKeyPem {@code PrivateKeyPEM} (secret)
 * @param service {@code Service}
 * @param serviceUri {@code ServiceURI}
 * @param validAfter {@code ValidAfter}
 * @param validBefore {@code ValidBefore}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record LeafCertWire(
    @JsonProperty("SerialNumber") String serialNumber,
    @JsonProperty("CertPEM") String certPem,
    @JsonProperty("PrivateKeyPEM") String privateKeyPem,
    @JsonProperty("Service") String service,
    @JsonProperty("ServiceURI") String serviceUri,
    @JsonProperty("ValidAfter") Instant validAfter,
    @JsonProperty("ValidBefore") Instant validBefore,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Returns the fields that are not secret; {@code privateKeyPem} is redacted. */
  @Override
  public String toString() {
    return "LeafCertWire[" + "serialNumber=" + serialNumber + ", "
        + "certPem=" + certPem + ", "
        + "service=" + service + ", "
        + "serviceUri=" + serviceUri
        + ", privateKeyPem=<redacted>]";
  }

/**
 * Returns the reply for {@code leaf} and its private key.
 *
 * @param leaf the issued certificate
 * @param privateKeyPem the leaf's private key in PEM, as the agent made it
 * @return the wire record
 */
public static LeafCertWire of(IssuedCertificate leaf, String privateKeyPem) {
  return new LeafCertWire(leaf.serialNumberHex(), Certificates.toPem(leaf.certificate()),
      java.util.Objects.requireNonNull(privateKeyPem, "privateKeyPem"),
      leaf.service().service(), leaf.service().spiffeId().toString(),
      leaf.validAfter().truncatedTo(ChronoUnit.SECONDS),
      leaf.validBefore().truncatedTo(ChronoUnit.SECONDS), leaf.createIndex(),
      leaf.modifyIndex());
}
}
