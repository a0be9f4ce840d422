package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.core.Certificates;
import dev.connect.core.CaRoot;
import dev.connect.core.KeyType;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One CA root of {@link CaRootsWire}. {@code SerialNumber} is the low 64 bits of the certificate's
 * serial as an unsigned JSON number; {@code ID} is the SHA-1 fingerprint of its DER in colon hex;
 * {@code IntermediateCerts} holds the cross-signed certificates that chain the root to its
 * predecessor and is written as {@code null} when there are none.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param name {@code Name}
 * @param serialNumber {@code SerialNumber}
 * @param signingKeyId {@code SigningKeyID}
 * @param externalTrustDomain {@code ExternalTrustDomain}
 * @param notBefore {@code NotBefore}
 * @param notAfter {@code NotAfter}
 * @param rootCert {@code RootCert}
 * @param intermediateCerts {@code IntermediateCerts}
 * @param active {@code Active}
 * @param privateKeyType {@code PrivateKeyType}
 * @param privateKeyBits {@code PrivateKeyBits}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record CaRootWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Name") String name,
    @JsonProperty("SerialNumber") BigInteger serialNumber,
    @JsonProperty("SigningKeyID") String signingKeyId,
    @JsonProperty("ExternalTrustDomain") String externalTrustDomain,
    @JsonProperty("NotBefore") Instant notBefore,
    @JsonProperty("NotAfter") Instant notAfter,
    @JsonProperty("RootCert") String rootCert,
    @JsonProperty("IntermediateCerts") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> intermediateCerts,
    @JsonProperty("Active") Boolean active,
    @JsonProperty("PrivateKeyType") String privateKeyType,
    @JsonProperty("PrivateKeyBits") Integer privateKeyBits,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public CaRootWire {
    intermediateCerts = Wire.list(intermediateCerts, "IntermediateCerts");
  }

/**
 * Returns the wire form of {@code root}.
 *
 * @param root the root
 * @return the wire record
 */
public static CaRootWire from(CaRoot root) {
  List<String> intermediates = root.intermediates().stream().map(Certificates::toPem).toList();
  return new CaRootWire(root.id(), root.name(),
      new BigInteger(Long.toUnsignedString(root.serialNumberLow64())), root.signingKeyId(),
      root.externalTrustDomain(), root.notBefore(), root.notAfter(),
      Certificates.toPem(root.certificate()), intermediates.isEmpty() ? null : intermediates,
      root.active(), root.privateKeyType().wireName(), root.privateKeyBits(),
      root.createIndex(), root.modifyIndex());
}

/**
 * Returns the core value, parsing the root and intermediate certificates.
 *
 * @return the root
 * @throws IllegalArgumentException naming the field that is missing or malformed
 */
public CaRoot toCaRoot() {
  X509Certificate cert = Wire.certificate(Wire.required(rootCert, "RootCert"), "RootCert");
  BigInteger low64 = cert.getSerialNumber().and(Wire.LOW_64);
  if (serialNumber != null && !serialNumber.equals(low64)) {
    throw new IllegalArgumentException("SerialNumber " + serialNumber
        + " is not the low 64 bits of the RootCert's serial " + low64);
  }
  List<X509Certificate> chain = intermediateCerts == null ? List.of()
      : intermediateCerts.stream().map(p -> Wire.certificate(p, "IntermediateCerts")).toList();
  KeyType keyType;
  try {
    keyType = KeyType.fromWireName(Wire.required(privateKeyType, "PrivateKeyType"));
  } catch (IllegalArgumentException e) {
    throw new IllegalArgumentException("PrivateKeyType: " + e.getMessage(), e);
  }
  return new CaRoot(Wire.required(id, "ID"), Wire.required(name, "Name"),
      cert.getSerialNumber(), Wire.orEmpty(signingKeyId),
      Wire.orEmpty(externalTrustDomain),
      notBefore != null ? notBefore : cert.getNotBefore().toInstant(),
      notAfter != null ? notAfter : cert.getNotAfter().toInstant(), cert, chain,
      Boolean.TRUE.equals(active), keyType, Wire.required(privateKeyBits, "PrivateKeyBits"),
      Optional.empty(), Wire.orZero(createIndex), Wire.orZero(modifyIndex));
}
}
