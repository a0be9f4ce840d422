package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The parts of {@code GET /v1/agent/self} that Connect clients read: the agent's datacenter, node
 * and version ({@code Config}), node metadata and gossip member.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param config {@code Config}
 * @param meta {@code Meta}
 * @param member {@code Member}
 */
public record AgentSelfWire(
    @JsonProperty("Config") AgentSelfConfigWire config,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("Member") AgentMemberWire member) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AgentSelfWire {
    meta = Wire.map(meta, "Meta");
  }
}
