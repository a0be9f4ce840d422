package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The service of a {@link ServiceEntryWire}; {@code Meta} is written as {@code null} when absent.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param kind {@code Kind}
 * @param id {@code ID}
 * @param service {@code Service}
 * @param tags {@code Tags}
 * @param address {@code Address}
 * @param taggedAddresses {@code TaggedAddresses}
 * @param meta {@code Meta}
 * @param port {@code Port}
 * @param socketPath {@code SocketPath}
 * @param weights {@code Weights}
 * @param enableTagOverride {@code EnableTagOverride}
 * @param proxy {@code Proxy}
 * @param connect {@code Connect}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record HealthServiceWire(
    @JsonProperty("Kind") String kind,
    @JsonProperty("ID") String id,
    @JsonProperty("Service") String service,
    @JsonProperty("Tags") List<String> tags,
    @JsonProperty("Address") String address,
    @JsonProperty("TaggedAddresses") Map<String, ServiceAddressWire> taggedAddresses,
    @JsonProperty("Meta") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, String> meta,
    @JsonProperty("Port") Integer port,
    @JsonProperty("SocketPath") String socketPath,
    @JsonProperty("Weights") WeightsWire weights,
    @JsonProperty("EnableTagOverride") Boolean enableTagOverride,
    @JsonProperty("Proxy") ProxyWire proxy,
    @JsonProperty("Connect") ServiceConnectWire connect,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public HealthServiceWire {
    tags = Wire.list(tags, "Tags");
    taggedAddresses = Wire.map(taggedAddresses, "TaggedAddresses");
    meta = Wire.map(meta, "Meta");
  }
}
