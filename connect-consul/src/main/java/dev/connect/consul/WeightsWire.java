package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * DNS SRV weights of a service instance by health.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param passing {@code Passing}
 * @param warning {@code Warning}
 */
public record WeightsWire(
    @JsonProperty("Passing") Integer passing,
    @JsonProperty("Warning") Integer warning) {
}
