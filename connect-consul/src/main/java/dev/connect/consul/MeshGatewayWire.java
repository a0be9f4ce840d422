package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A mesh gateway setting ({@code Mode}: {@code local}, {@code remote}, {@code none}).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param mode {@code Mode}
 */
public record MeshGatewayWire(
    @JsonProperty("Mode") String mode) {
}
