package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One L7 permission of an intention: an action and the HTTP request it applies to.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param action {@code Action}
 * @param http {@code HTTP}
 */
public record IntentionPermissionWire(
    @JsonProperty("Action") String action,
    @JsonProperty("HTTP") IntentionHttpPermissionWire http) {
}
