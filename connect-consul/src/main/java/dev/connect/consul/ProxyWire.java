package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The {@code Proxy} block of a {@code connect-proxy} service: the service it fronts, its local
 * address and its upstreams.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param destinationServiceName {@code DestinationServiceName}
 * @param destinationServiceId {@code DestinationServiceID}
 * @param localServiceAddress {@code LocalServiceAddress}
 * @param localServicePort {@code LocalServicePort}
 * @param localServiceSocketPath {@code LocalServiceSocketPath}
 * @param mode {@code Mode}
 * @param config {@code Config}
 * @param upstreams {@code Upstreams}
 * @param meshGateway {@code MeshGateway}
 * @param expose {@code Expose}
 * @param transparentProxy {@code TransparentProxy}
 */
public record ProxyWire(
    @JsonProperty("DestinationServiceName") String destinationServiceName,
    @JsonProperty("DestinationServiceID") String destinationServiceId,
    @JsonProperty("LocalServiceAddress") String localServiceAddress,
    @JsonProperty("LocalServicePort") Integer localServicePort,
    @JsonProperty("LocalServiceSocketPath") String localServiceSocketPath,
    @JsonProperty("Mode") String mode,
    @JsonProperty("Config") Map<String, Object> config,
    @JsonProperty("Upstreams") List<UpstreamWire> upstreams,
    @JsonProperty("MeshGateway") MeshGatewayWire meshGateway,
    @JsonProperty("Expose") ExposeWire expose,
    @JsonProperty("TransparentProxy") TransparentProxyWire transparentProxy) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public ProxyWire {
    config = Wire.map(config, "Config");
    upstreams = Wire.list(upstreams, "Upstreams");
  }
}
