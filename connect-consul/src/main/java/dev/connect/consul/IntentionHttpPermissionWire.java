package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The HTTP match of an L7 intention permission.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param pathExact {@code PathExact}
 * @param pathPrefix {@code PathPrefix}
 * @param pathRegex {@code PathRegex}
 * @param header {@code Header}
 * @param methods {@code Methods}
 */
public record IntentionHttpPermissionWire(
    @JsonProperty("PathExact") String pathExact,
    @JsonProperty("PathPrefix") String pathPrefix,
    @JsonProperty("PathRegex") String pathRegex,
    @JsonProperty("Header") List<IntentionHttpHeaderPermissionWire> header,
    @JsonProperty("Methods") List<String> methods) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public IntentionHttpPermissionWire {
    header = Wire.list(header, "Header");
    methods = Wire.list(methods, "Methods");
  }
}
