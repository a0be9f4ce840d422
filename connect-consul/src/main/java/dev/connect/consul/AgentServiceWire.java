package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A service registered with the agent: an entry of {@code GET /v1/agent/services} (keyed by ID) and
 * the body of {@code GET /v1/agent/service/<id>} (with {@code ContentHash}, for {@code ?hash=}
 * blocking).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param kind {@code Kind}
 * @param id {@code ID}
 * @param service {@code Service}
 * @param tags {@code Tags}
 * @param meta {@code Meta}
 * @param port {@code Port}
 * @param address {@code Address}
 * @param socketPath {@code SocketPath}
 * @param taggedAddresses {@code TaggedAddresses}
 * @param weights {@code Weights}
 * @param enableTagOverride {@code EnableTagOverride}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 * @param contentHash {@code ContentHash}
 * @param proxy {@code Proxy}
 * @param connect {@code Connect}
 * @param namespace {@code Namespace}
 * @param datacenter {@code Datacenter}
 */
public record AgentServiceWire(
    @JsonProperty("Kind") String kind,
    @JsonProperty("ID") String id,
    @JsonProperty("Service") String service,
    @JsonProperty("Tags") List<String> tags,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("Port") Integer port,
    @JsonProperty("Address") String address,
    @JsonProperty("SocketPath") String socketPath,
    @JsonProperty("TaggedAddresses") Map<String, ServiceAddressWire> taggedAddresses,
    @JsonProperty("Weights") WeightsWire weights,
    @JsonProperty("EnableTagOverride") Boolean enableTagOverride,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex,
    @JsonProperty("ContentHash") String contentHash,
    @JsonProperty("Proxy") ProxyWire proxy,
    @JsonProperty("Connect") ServiceConnectWire connect,
    @JsonProperty("Namespace") String namespace,
    @JsonProperty("Datacenter") String datacenter) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AgentServiceWire {
    tags = Wire.list(tags, "Tags");
    meta = Wire.map(meta, "Meta");
    taggedAddresses = Wire.map(taggedAddresses, "TaggedAddresses");
  }
}
