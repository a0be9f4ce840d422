package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The node of a {@link ServiceEntryWire}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param node {@code Node}
 * @param address {@code Address}
 * @param datacenter {@code Datacenter}
 * @param taggedAddresses {@code TaggedAddresses}
 * @param meta {@code Meta}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record NodeWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Node") String node,
    @JsonProperty("Address") String address,
    @JsonProperty("Datacenter") String datacenter,
    @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public NodeWire {
    taggedAddresses = Wire.map(taggedAddresses, "TaggedAddresses");
    meta = Wire.map(meta, "Meta");
  }
}
