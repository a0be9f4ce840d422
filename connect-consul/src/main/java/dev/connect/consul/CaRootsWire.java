package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.core.CaRoots;
import java.util.List;

/**
 * The body of {@code GET /v1/agent/connect/ca/roots} and {@code GET /v1/connect/ca/roots}: the trust
 * domain, the active root's ID and every root still trusted.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param activeRootId {@code ActiveRootID}
 * @param trustDomain {@code TrustDomain}
 * @param roots {@code Roots}
 */
public record CaRootsWire(
    @JsonProperty("ActiveRootID") String activeRootId,
    @JsonProperty("TrustDomain") String trustDomain,
    @JsonProperty("Roots") List<CaRootWire> roots) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public CaRootsWire {
    roots = Wire.list(roots, "Roots");
  }

/**
 * Returns the wire form of {@code roots}.
 *
 * @param roots the roots
 * @return the wire record
 */
public static CaRootsWire from(CaRoots roots) {
  return new CaRootsWire(roots.activeRootId(), roots.trustDomain(),
      roots.roots().stream().map(CaRootWire::from).toList());
}

/**
 * Returns the core value, parsing every certificate.
 *
 * @return the roots
 * @throws IllegalArgumentException naming the field that is missing or malformed
 */
public CaRoots toCaRoots() {
  List<CaRootWire> list = Wire.required(roots, "Roots");
  return new CaRoots(Wire.required(trustDomain, "TrustDomain"),
      Wire.required(activeRootId, "ActiveRootID"),
      list.stream().map(CaRootWire::toCaRoot).toList());
}
}
