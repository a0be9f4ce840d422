package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A header match of an L7 intention permission.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param name {@code Name}
 * @param present {@code Present}
 * @param exact {@code Exact}
 * @param prefix {@code Prefix}
 * @param suffix {@code Suffix}
 * @param regex {@code Regex}
 * @param invert {@code Invert}
 */
public record IntentionHttpHeaderPermissionWire(
    @JsonProperty("Name") String name,
    @JsonProperty("Present") Boolean present,
    @JsonProperty("Exact") String exact,
    @JsonProperty("Prefix") String prefix,
    @JsonProperty("Suffix") String suffix,
    @JsonProperty("Regex") String regex,
    @JsonProperty("Invert") Boolean invert) {
}
