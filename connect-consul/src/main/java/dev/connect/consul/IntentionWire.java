package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An intention as Consul's legacy intention API reads and writes it ({@code GET|POST
 * /v1/connect/intentions}, {@code /exact}, {@code /<id>}, {@code /match}). Intentions written through
 * {@code /exact} have no {@code ID}, {@code CreatedAt}, {@code UpdatedAt}, {@code Meta} or {@code
 * Hash}; L7 intentions have {@code Permissions} and no {@code Action}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param createdAt {@code CreatedAt}
 * @param updatedAt {@code UpdatedAt}
 * @param id {@code ID}
 * @param description {@code Description}
 * @param sourceNs {@code SourceNS}
 * @param sourceName {@code SourceName}
 * @param destinationNs {@code DestinationNS}
 * @param destinationName {@code DestinationName}
 * @param sourceType {@code SourceType}
 * @param action {@code Action}
 * @param permissions {@code Permissions}
 * @param meta {@code Meta}
 * @param precedence {@code Precedence}
 * @param hash {@code Hash}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record IntentionWire(
    @JsonProperty("CreatedAt") Instant createdAt,
    @JsonProperty("UpdatedAt") Instant updatedAt,
    @JsonProperty("ID") String id,
    @JsonProperty("Description") String description,
    @JsonProperty("SourceNS") String sourceNs,
    @JsonProperty("SourceName") String sourceName,
    @JsonProperty("DestinationNS") String destinationNs,
    @JsonProperty("DestinationName") String destinationName,
    @JsonProperty("SourceType") String sourceType,
    @JsonProperty("Action") String action,
    @JsonProperty("Permissions") List<IntentionPermissionWire> permissions,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("Precedence") Integer precedence,
    @JsonProperty("Hash") String hash,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public IntentionWire {
    permissions = Wire.list(permissions, "Permissions");
    meta = Wire.map(meta, "Meta");
  }

/** Consul's only source type, {@code consul}. */
public static final String SOURCE_TYPE_CONSUL = "consul";

/**
 * Returns the wire form of {@code intention}: {@code ID}, {@code CreatedAt} and {@code
 * UpdatedAt} only when it has an ID, {@code Description} and {@code Meta} only when not empty.
 * {@code Hash} stays absent: Consul's hash is of its own Go structure.
 *
 * @param intention the intention
 * @return the wire record
 */
public static IntentionWire from(Intention intention) {
  boolean legacy = !intention.id().isEmpty();
  return new IntentionWire(legacy ? intention.createdAt().orElse(null) : null,
      legacy ? intention.updatedAt().orElse(null) : null, legacy ? intention.id() : null,
      intention.description().isEmpty() ? null : intention.description(),
      intention.source().namespace(), intention.source().name(),
      intention.destination().namespace(), intention.destination().name(),
      SOURCE_TYPE_CONSUL, intention.action().wireName(), null,
      intention.meta().isEmpty() ? null : intention.meta(), intention.precedence(), null,
      intention.createIndex(), intention.modifyIndex());
}

/**
 * Returns the core intention; an absent namespace is {@code default}.
 *
 * @return the intention
 * @throws IllegalArgumentException naming the field at fault; an L7 intention ({@code
 *     Permissions}) has no core equivalent yet
 */
public Intention toIntention() {
  if (permissions != null && !permissions.isEmpty()) {
    throw new IllegalArgumentException("Permissions (an L7 intention from "
        + sourceName + " to " + destinationName + ") are not supported");
  }
  if (sourceType != null && !sourceType.isEmpty() && !sourceType.equals(SOURCE_TYPE_CONSUL)) {
    throw new IllegalArgumentException("SourceType must be set to 'consul': \""
        + Texts.escape(sourceType, 64) + "\"");
  }
  Intention.Builder b = Intention.builder(
      target(sourceNs, Wire.required(sourceName, "SourceName"), "Source"),
      target(destinationNs, Wire.required(destinationName, "DestinationName"), "Destination"),
      IntentionAction.parse(Wire.required(action, "Action")));
  if (id != null && !id.isEmpty()) {
    b.id(id);
  }
  if (description != null) {
    b.description(description);
  }
  if (meta != null) {
    b.meta(meta);
  }
  if (createIndex != null) {
    b.createIndex(createIndex);
  }
  if (modifyIndex != null) {
    b.modifyIndex(modifyIndex);
  }
  if (createdAt != null) {
    b.createdAt(createdAt);
  }
  if (updatedAt != null) {
    b.updatedAt(updatedAt);
  }
  return b.build();
}

private static IntentionTarget target(String namespace, String name, String side) {
  try {
    return IntentionTarget.of(namespace == null || namespace.isEmpty() ? "default" : namespace,
        name);
  } catch (IllegalArgumentException e) {
    throw new IllegalArgumentException(side + "Name: " + e.getMessage(), e);
  }
}
}
