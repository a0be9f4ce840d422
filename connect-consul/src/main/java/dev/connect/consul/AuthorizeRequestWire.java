package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /v1/agent/connect/authorize}: the target service, the client
 * certificate's SPIFFE URI and its serial in colon hex (optional; Consul 1.10 does not check it).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param target {@code Target}
 * @param clientCertUri {@code ClientCertURI}
 * @param clientCertSerial {@code ClientCertSerial}
 */
public record AuthorizeRequestWire(
    @JsonProperty("Target") String target,
    @JsonProperty("ClientCertURI") String clientCertUri,
    @JsonProperty("ClientCertSerial") String clientCertSerial) {
}
