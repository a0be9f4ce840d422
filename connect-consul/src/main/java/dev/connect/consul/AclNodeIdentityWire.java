package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A node identity of a token.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param nodeName {@code NodeName}
 * @param datacenter {@code Datacenter}
 */
public record AclNodeIdentityWire(
    @JsonProperty("NodeName") String nodeName,
    @JsonProperty("Datacenter") String datacenter) {
}
