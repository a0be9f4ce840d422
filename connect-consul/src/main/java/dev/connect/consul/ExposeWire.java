package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The paths a proxy exposes without mTLS.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param checks {@code Checks}
 * @param paths {@code Paths}
 */
public record ExposeWire(
    @JsonProperty("Checks") Boolean checks,
    @JsonProperty("Paths") List<ExposePathWire> paths) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public ExposeWire {
    paths = Wire.list(paths, "Paths");
  }
}
