package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /v1/agent/service/register}, and the {@code SidecarService} of a
 * registration.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param kind {@code Kind}
 * @param id {@code ID}
 * @param name {@code Name}
 * @param tags {@code Tags}
 * @param port {@code Port}
 * @param address {@code Address}
 * @param socketPath {@code SocketPath}
 * @param taggedAddresses {@code TaggedAddresses}
 * @param enableTagOverride {@code EnableTagOverride}
 * @param meta {@code Meta}
 * @param weights {@code Weights}
 * @param check {@code Check}
 * @param checks {@code Checks}
 * @param proxy {@code Proxy}
 * @param connect {@code Connect}
 * @param namespace {@code Namespace}
 */
public record AgentServiceRegistrationWire(
    @JsonProperty("Kind") String kind,
    @JsonProperty("ID") String id,
    @JsonProperty("Name") String name,
    @JsonProperty("Tags") List<String> tags,
    @JsonProperty("Port") Integer port,
    @JsonProperty("Address") String address,
    @JsonProperty("SocketPath") String socketPath,
    @JsonProperty("TaggedAddresses") Map<String, ServiceAddressWire> taggedAddresses,
    @JsonProperty("EnableTagOverride") Boolean enableTagOverride,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("Weights") WeightsWire weights,
    @JsonProperty("Check") AgentCheckRegistrationWire check,
    @JsonProperty("Checks") List<AgentCheckRegistrationWire> checks,
    @JsonProperty("Proxy") ProxyWire proxy,
    @JsonProperty("Connect") ServiceConnectWire connect,
    @JsonProperty("Namespace") String namespace) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AgentServiceRegistrationWire {
    tags = Wire.list(tags, "Tags");
    taggedAddresses = Wire.map(taggedAddresses, "TaggedAddresses");
    meta = Wire.map(meta, "Meta");
    checks = Wire.list(checks, "Checks");
  }
}
