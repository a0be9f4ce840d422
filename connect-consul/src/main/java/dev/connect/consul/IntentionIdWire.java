package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /v1/connect/intentions} and {@code PUT /v1/connect/intentions/<id>}:
 * {@code {"ID": "<uuid>"}}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 */
public record IntentionIdWire(
    @JsonProperty("ID") String id) {
}
