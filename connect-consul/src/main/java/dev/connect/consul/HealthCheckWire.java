package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A health check of a {@link ServiceEntryWire}, and an entry of {@code GET /v1/agent/checks}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param node {@code Node}
 * @param checkId {@code CheckID}
 * @param name {@code Name}
 * @param status {@code Status}
 * @param notes {@code Notes}
 * @param output {@code Output}
 * @param serviceId {@code ServiceID}
 * @param serviceName {@code ServiceName}
 * @param serviceTags {@code ServiceTags}
 * @param type {@code Type}
 * @param interval {@code Interval}
 * @param timeout {@code Timeout}
 * @param exposedPort {@code ExposedPort}
 * @param definition {@code Definition}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record HealthCheckWire(
    @JsonProperty("Node") String node,
    @JsonProperty("CheckID") String checkId,
    @JsonProperty("Name") String name,
    @JsonProperty("Status") String status,
    @JsonProperty("Notes") String notes,
    @JsonProperty("Output") String output,
    @JsonProperty("ServiceID") String serviceId,
    @JsonProperty("ServiceName") String serviceName,
    @JsonProperty("ServiceTags") List<String> serviceTags,
    @JsonProperty("Type") String type,
    @JsonProperty("Interval") String interval,
    @JsonProperty("Timeout") String timeout,
    @JsonProperty("ExposedPort") Integer exposedPort,
    @JsonProperty("Definition") Map<String, Object> definition,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public HealthCheckWire {
    serviceTags = Wire.list(serviceTags, "ServiceTags");
    definition = Wire.map(definition, "Definition");
  }
}
