package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * An ACL token as {@code PUT /v1/acl/token}, {@code GET /v1/acl/token/<accessor>}, {@code GET
 * /v1/acl/token/self}, {@code GET /v1/acl/tokens} and {@code PUT /v1/acl/bootstrap} write it.
 * {@code SecretID} is the bearer secret; {@link #toString()} never shows it.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param accessorId {@code AccessorID}
 * @param secretId {@code SecretID} (secret)
 * @param description {@code Description}
 * @param policies {@code Policies}
 * @param roles {@code Roles}
 * @param serviceIdentities {@code ServiceIdentities}
 * @param nodeIdentities {@code NodeIdentities}
 * @param local {@code Local}
 * @param authMethod {@code AuthMethod}
 * @param expirationTime {@code ExpirationTime}
 * @param createTime {@code CreateTime}
 * @param hash {@code Hash}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record AclTokenWire(
    @JsonProperty("AccessorID") String accessorId,
    @JsonProperty("SecretID") String secretId,
    @JsonProperty("Description") String description,
    @JsonProperty("Policies") List<AclLinkWire> policies,
    @JsonProperty("Roles") List<AclLinkWire> roles,
    @JsonProperty("ServiceIdentities") List<AclServiceIdentityWire> serviceIdentities,
    @JsonProperty("NodeIdentities") List<AclNodeIdentityWire> nodeIdentities,
    @JsonProperty("Local") Boolean local,
    @JsonProperty("AuthMethod") String authMethod,
    @JsonProperty("ExpirationTime") Instant expirationTime,
    @JsonProperty("CreateTime") Instant createTime,
    @JsonProperty("Hash") String hash,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AclTokenWire {
    policies = Wire.list(policies, "Policies");
    roles = Wire.list(roles, "Roles");
    serviceIdentities = Wire.list(serviceIdentities, "ServiceIdentities");
    nodeIdentities = Wire.list(nodeIdentities, "NodeIdentities");
  }

  /** Returns the fields that are not secret; {@code secretId} is redacted. */
  @Override
  public String toString() {
    return "AclTokenWire[" + "accessorId=" + accessorId + ", "
        + "description=" + description + ", "
        + "policies=" + policies + ", "
        + "roles=" + roles
        + ", secretId=<redacted>]";
  }
}
