package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Transparent proxy settings of a proxy.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param outboundListenerPort {@code OutboundListenerPort}
 * @param dialedDirectly {@code DialedDirectly}
 */
public record TransparentProxyWire(
    @JsonProperty("OutboundListenerPort") Integer outboundListenerPort,
    @JsonProperty("DialedDirectly") Boolean dialedDirectly) {
}
