package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The {@code Member} part of {@code GET /v1/agent/self}: the agent's gossip member.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param name {@code Name}
 * @param addr {@code Addr}
 * @param port {@code Port}
 * @param tags {@code Tags}
 * @param status {@code Status}
 * @param protocolMin {@code ProtocolMin}
 * @param protocolMax {@code ProtocolMax}
 * @param protocolCur {@code ProtocolCur}
 * @param delegateMin {@code DelegateMin}
 * @param delegateMax {@code DelegateMax}
 * @param delegateCur {@code DelegateCur}
 */
public record AgentMemberWire(
    @JsonProperty("Name") String name,
    @JsonProperty("Addr") String addr,
    @JsonProperty("Port") Integer port,
    @JsonProperty("Tags") Map<String, String> tags,
    @JsonProperty("Status") Integer status,
    @JsonProperty("ProtocolMin") Integer protocolMin,
    @JsonProperty("ProtocolMax") Integer protocolMax,
    @JsonProperty("ProtocolCur") Integer protocolCur,
    @JsonProperty("DelegateMin") Integer delegateMin,
    @JsonProperty("DelegateMax") Integer delegateMax,
    @JsonProperty("DelegateCur") Integer delegateCur) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AgentMemberWire {
    tags = Wire.map(tags, "Tags");
  }
}
