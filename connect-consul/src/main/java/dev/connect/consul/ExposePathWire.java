package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A path a proxy exposes without mTLS (for health checks).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param listenerPort {@code ListenerPort}
 * @param path {@code Path}
 * @param localPathPort {@code LocalPathPort}
 * @param protocol {@code Protocol}
 * @param parsedFromCheck {@code ParsedFromCheck}
 */
public record ExposePathWire(
    @JsonProperty("ListenerPort") Integer listenerPort,
    @JsonProperty("Path") String path,
    @JsonProperty("LocalPathPort") Integer localPathPort,
    @JsonProperty("Protocol") String protocol,
    @JsonProperty("ParsedFromCheck") Boolean parsedFromCheck) {
}
