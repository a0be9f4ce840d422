package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An entry of {@code GET /v1/health/connect/<service>} and {@code GET /v1/health/service/<service>}:
 * a node, a service instance on it and their checks.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param node {@code Node}
 * @param service {@code Service}
 * @param checks {@code Checks}
 */
public record ServiceEntryWire(
    @JsonProperty("Node") NodeWire node,
    @JsonProperty("Service") HealthServiceWire service,
    @JsonProperty("Checks") List<HealthCheckWire> checks) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public ServiceEntryWire {
    checks = Wire.list(checks, "Checks");
  }
}
