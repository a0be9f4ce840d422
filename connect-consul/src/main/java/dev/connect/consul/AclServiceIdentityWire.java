package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A service identity of a token: the rights of service {@code ServiceName} and its sidecar.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param serviceName {@code ServiceName}
 * @param datacenters {@code Datacenters}
 */
public record AclServiceIdentityWire(
    @JsonProperty("ServiceName") String serviceName,
    @JsonProperty("Datacenters") List<String> datacenters) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AclServiceIdentityWire {
    datacenters = Wire.list(datacenters, "Datacenters");
  }
}
