package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * An entry of {@code GET /v1/catalog/connect/<service>} and {@code GET /v1/catalog/service/<service>}:
 * a service instance with its node.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param node {@code Node}
 * @param address {@code Address}
 * @param datacenter {@code Datacenter}
 * @param taggedAddresses {@code TaggedAddresses}
 * @param nodeMeta {@code NodeMeta}
 * @param serviceKind {@code ServiceKind}
 * @param serviceId {@code ServiceID}
 * @param serviceName {@code ServiceName}
 * @param serviceTags {@code ServiceTags}
 * @param serviceAddress {@code ServiceAddress}
 * @param serviceTaggedAddresses {@code ServiceTaggedAddresses}
 * @param serviceWeights {@code ServiceWeights}
 * @param serviceMeta {@code ServiceMeta}
 * @param servicePort {@code ServicePort}
 * @param serviceSocketPath {@code ServiceSocketPath}
 * @param serviceEnableTagOverride {@code ServiceEnableTagOverride}
 * @param serviceProxy {@code ServiceProxy}
 * @param serviceConnect {@code ServiceConnect}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record CatalogServiceWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Node") String node,
    @JsonProperty("Address") String address,
    @JsonProperty("Datacenter") String datacenter,
    @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
    @JsonProperty("NodeMeta") Map<String, String> nodeMeta,
    @JsonProperty("ServiceKind") String serviceKind,
    @JsonProperty("ServiceID") String serviceId,
    @JsonProperty("ServiceName") String serviceName,
    @JsonProperty("ServiceTags") List<String> serviceTags,
    @JsonProperty("ServiceAddress") String serviceAddress,
    @JsonProperty("ServiceTaggedAddresses") Map<String, ServiceAddressWire> serviceTaggedAddresses,
    @JsonProperty("ServiceWeights") WeightsWire serviceWeights,
    @JsonProperty("ServiceMeta") Map<String, String> serviceMeta,
    @JsonProperty("ServicePort") Integer servicePort,
    @JsonProperty("ServiceSocketPath") String serviceSocketPath,
    @JsonProperty("ServiceEnableTagOverride") Boolean serviceEnableTagOverride,
    @JsonProperty("ServiceProxy") ProxyWire serviceProxy,
    @JsonProperty("ServiceConnect") ServiceConnectWire serviceConnect,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public CatalogServiceWire {
    taggedAddresses = Wire.map(taggedAddresses, "TaggedAddresses");
    nodeMeta = Wire.map(nodeMeta, "NodeMeta");
    serviceTags = Wire.list(serviceTags, "ServiceTags");
    serviceTaggedAddresses = Wire.map(serviceTaggedAddresses, "ServiceTaggedAddresses");
    serviceMeta = Wire.map(serviceMeta, "ServiceMeta");
  }
}
