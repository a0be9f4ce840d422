package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A link from a token to a policy or role, by {@code ID} or {@code Name}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param name {@code Name}
 */
public record AclLinkWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Name") String name) {
}
