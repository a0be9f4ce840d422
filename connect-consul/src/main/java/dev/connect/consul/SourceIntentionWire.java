package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A source of a {@code service-intentions} config entry.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param name {@code Name}
 * @param namespace {@code Namespace}
 * @param action {@code Action}
 * @param permissions {@code Permissions}
 * @param precedence {@code Precedence}
 * @param type {@code Type}
 * @param description {@code Description}
 * @param legacyId {@code LegacyID}
 * @param legacyMeta {@code LegacyMeta}
 * @param legacyCreateTime {@code LegacyCreateTime}
 * @param legacyUpdateTime {@code LegacyUpdateTime}
 */
public record SourceIntentionWire(
    @JsonProperty("Name") String name,
    @JsonProperty("Namespace") String namespace,
    @JsonProperty("Action") String action,
    @JsonProperty("Permissions") List<IntentionPermissionWire> permissions,
    @JsonProperty("Precedence") Integer precedence,
    @JsonProperty("Type") String type,
    @JsonProperty("Description") String description,
    @JsonProperty("LegacyID") String legacyId,
    @JsonProperty("LegacyMeta") Map<String, String> legacyMeta,
    @JsonProperty("LegacyCreateTime") Instant legacyCreateTime,
    @JsonProperty("LegacyUpdateTime") Instant legacyUpdateTime) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public SourceIntentionWire {
    permissions = Wire.list(permissions, "Permissions");
    legacyMeta = Wire.map(legacyMeta, "LegacyMeta");
  }
}
