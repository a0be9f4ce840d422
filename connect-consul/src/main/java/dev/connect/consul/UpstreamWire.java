package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * An upstream of a Connect proxy: the service it reaches and the local port it binds.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param destinationType {@code DestinationType}
 * @param destinationNamespace {@code DestinationNamespace}
 * @param destinationName {@code DestinationName}
 * @param datacenter {@code Datacenter}
 * @param localBindAddress {@code LocalBindAddress}
 * @param localBindPort {@code LocalBindPort}
 * @param localBindSocketPath {@code LocalBindSocketPath}
 * @param localBindSocketMode {@code LocalBindSocketMode}
 * @param config {@code Config}
 * @param meshGateway {@code MeshGateway}
 * @param centrallyConfigured {@code CentrallyConfigured}
 */
public record UpstreamWire(
    @JsonProperty("DestinationType") String destinationType,
    @JsonProperty("DestinationNamespace") String destinationNamespace,
    @JsonProperty("DestinationName") String destinationName,
    @JsonProperty("Datacenter") String datacenter,
    @JsonProperty("LocalBindAddress") String localBindAddress,
    @JsonProperty("LocalBindPort") Integer localBindPort,
    @JsonProperty("LocalBindSocketPath") String localBindSocketPath,
    @JsonProperty("LocalBindSocketMode") String localBindSocketMode,
    @JsonProperty("Config") Map<String, Object> config,
    @JsonProperty("MeshGateway") MeshGatewayWire meshGateway,
    @JsonProperty("CentrallyConfigured") Boolean centrallyConfigured) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public UpstreamWire {
    config = Wire.map(config, "Config");
  }
}
