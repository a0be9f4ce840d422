package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An ACL policy as {@code PUT /v1/acl/policy} takes and returns it and {@code GET
 * /v1/acl/policy/<id>} reads it; {@code Rules} is the HCL or JSON rules text.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param name {@code Name}
 * @param description {@code Description}
 * @param rules {@code Rules}
 * @param datacenters {@code Datacenters}
 * @param hash {@code Hash}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record AclPolicyWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Name") String name,
    @JsonProperty("Description") String description,
    @JsonProperty("Rules") String rules,
    @JsonProperty("Datacenters") List<String> datacenters,
    @JsonProperty("Hash") String hash,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AclPolicyWire {
    datacenters = Wire.list(datacenters, "Datacenters");
  }
}
