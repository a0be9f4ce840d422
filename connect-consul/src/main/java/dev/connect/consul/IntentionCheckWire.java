package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code GET /v1/connect/intentions/check}: {@code {"Allowed": true}}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param allowed {@code Allowed}
 */
public record IntentionCheckWire(
    @JsonProperty("Allowed") Boolean allowed) {
}
