package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A {@code service-defaults} config entry ({@code PUT /v1/config}): the protocol of a service,
 * which decides whether L7 intentions apply.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param kind {@code Kind}
 * @param name {@code Name}
 * @param protocol {@code Protocol}
 * @param mode {@code Mode}
 * @param transparentProxy {@code TransparentProxy}
 * @param meshGateway {@code MeshGateway}
 * @param expose {@code Expose}
 * @param externalSni {@code ExternalSNI}
 * @param meta {@code Meta}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record ServiceDefaultsConfigEntryWire(
    @JsonProperty("Kind") String kind,
    @JsonProperty("Name") String name,
    @JsonProperty("Protocol") String protocol,
    @JsonProperty("Mode") String mode,
    @JsonProperty("TransparentProxy") TransparentProxyWire transparentProxy,
    @JsonProperty("MeshGateway") MeshGatewayWire meshGateway,
    @JsonProperty("Expose") ExposeWire expose,
    @JsonProperty("ExternalSNI") String externalSni,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public ServiceDefaultsConfigEntryWire {
    meta = Wire.map(meta, "Meta");
  }
}
