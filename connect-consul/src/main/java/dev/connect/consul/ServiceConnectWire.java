package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code Connect} block of a service: {@code Native} for an application that speaks Connect
 * itself, {@code SidecarService} to register a sidecar proxy with it.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param nativeService {@code Native}
 * @param sidecarService {@code SidecarService}
 */
public record ServiceConnectWire(
    @JsonProperty("Native") Boolean nativeService,
    @JsonProperty("SidecarService") AgentServiceRegistrationWire sidecarService) {
}
