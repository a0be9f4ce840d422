package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code Config} part of {@code GET /v1/agent/self}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param datacenter {@code Datacenter}
 * @param primaryDatacenter {@code PrimaryDatacenter}
 * @param nodeName {@code NodeName}
 * @param nodeId {@code NodeID}
 * @param revision {@code Revision}
 * @param server {@code Server}
 * @param version {@code Version}
 */
public record AgentSelfConfigWire(
    @JsonProperty("Datacenter") String datacenter,
    @JsonProperty("PrimaryDatacenter") String primaryDatacenter,
    @JsonProperty("NodeName") String nodeName,
    @JsonProperty("NodeID") String nodeId,
    @JsonProperty("Revision") String revision,
    @JsonProperty("Server") Boolean server,
    @JsonProperty("Version") String version) {
}
