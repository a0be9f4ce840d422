package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One entry of {@code GET /v1/acl/policies}: a policy without its rules; {@code Datacenters} is
 * written as {@code null} when absent.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param id {@code ID}
 * @param name {@code Name}
 * @param description {@code Description}
 * @param datacenters {@code Datacenters}
 * @param hash {@code Hash}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record AclPolicyListEntryWire(
    @JsonProperty("ID") String id,
    @JsonProperty("Name") String name,
    @JsonProperty("Description") String description,
    @JsonProperty("Datacenters") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> datacenters,
    @JsonProperty("Hash") String hash,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AclPolicyListEntryWire {
    datacenters = Wire.list(datacenters, "Datacenters");
  }
}
