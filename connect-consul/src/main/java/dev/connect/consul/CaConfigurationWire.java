package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.ca.CaConfiguration;
import java.util.Map;

/**
 * The body of {@code GET /v1/connect/ca/configuration}: the provider, its {@code Config} (a map of
 * Go values: durations as strings such as {@code "72h"}, and when a user supplied the root, {@code
 * PrivateKey} and {@code RootCert}), {@code State} (written as {@code null} when absent) and {@code
 * ForceWithoutCrossSigning}.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param provider {@code Provider}
 * @param config {@code Config} (secret)
 * @param state {@code State}
 * @param forceWithoutCrossSigning {@code ForceWithoutCrossSigning}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record CaConfigurationWire(
    @JsonProperty("Provider") String provider,
    @JsonProperty("Config") Map<String, Object> config,
    @JsonProperty("State") @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, String> state,
    @JsonProperty("ForceWithoutCrossSigning") Boolean forceWithoutCrossSigning,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public CaConfigurationWire {
    config = Wire.map(config, "Config");
    state = Wire.map(state, "State");
  }

  /** Returns the fields that are not secret; {@code config} is redacted. */
  @Override
  public String toString() {
    return "CaConfigurationWire[" + "provider=" + provider + ", "
        + "state=" + state + ", "
        + "forceWithoutCrossSigning=" + forceWithoutCrossSigning + ", "
        + "createIndex=" + createIndex
        + ", config=<redacted>]";
  }

/**
 * Returns Consul's reply for {@code configuration} under the {@code consul} provider.
 *
 * @param configuration the configuration
 * @param createIndex the index at which the configuration was first written
 * @param modifyIndex the index of its last change
 * @return the wire record
 */
public static CaConfigurationWire from(CaConfiguration configuration, long createIndex,
    long modifyIndex) {
  return new CaConfigurationWire(CaConfigurationRequestWire.PROVIDER_CONSUL,
      CaConfigurationRequestWire.configOf(configuration), null, false, createIndex,
      modifyIndex);
}

/**
 * Returns the core configuration its {@code Config} describes.
 *
 * @return the configuration
 * @throws IllegalArgumentException naming the key and value at fault
 */
public CaConfiguration toCaConfiguration() {
  return CaConfigurationRequestWire.toCaConfiguration(config);
}
}
