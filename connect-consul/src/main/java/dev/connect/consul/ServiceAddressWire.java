package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A tagged address of a service ({@code lan_ipv4}, {@code wan_ipv4}, ...).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param address {@code Address}
 * @param port {@code Port}
 */
public record ServiceAddressWire(
    @JsonProperty("Address") String address,
    @JsonProperty("Port") Integer port) {
}
