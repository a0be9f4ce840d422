package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaKeySpec;
import dev.connect.core.KeyType;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The body of {@code PUT /v1/connect/ca/configuration}: a provider and its {@code Config}. With
 * {@code PrivateKey} and {@code RootCert} in {@code Config} the user supplies the new root; without,
 * the provider makes a new key and root. Either way Consul rotates to the new root and
 * cross-signs it.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param provider {@code Provider}
 * @param config {@code Config} (secret)
 * @param state {@code State}
 * @param forceWithoutCrossSigning {@code ForceWithoutCrossSigning}
 */
public record CaConfigurationRequestWire(
    @JsonProperty("Provider") String provider,
    @JsonProperty("Config") Map<String, Object> config,
    @JsonProperty("State") Map<String, String> state,
    @JsonProperty("ForceWithoutCrossSigning") Boolean forceWithoutCrossSigning) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public CaConfigurationRequestWire {
    config = Wire.map(config, "Config");
    state = Wire.map(state, "State");
  }

  /** Returns the fields that are not secret; {@code config} is redacted. */
  @Override
  public String toString() {
    return "CaConfigurationRequestWire[" + "provider=" + provider + ", "
        + "state=" + state + ", "
        + "forceWithoutCrossSigning=" + forceWithoutCrossSigning
        + ", config=<redacted>]";
  }

/** Consul's built-in CA provider, {@code consul}. */
public static final String PROVIDER_CONSUL = "consul";

/**
 * Returns the core configuration its {@code Config} describes. Keys are matched
 * case-insensitively as Consul does; {@code LeafCertTTL}, {@code IntermediateCertTTL}, {@code
 * RootCertTTL}, {@code PrivateKeyType}, {@code PrivateKeyBits}, {@code CSRMaxPerSecond} and
 * {@code CSRMaxConcurrent} are read; every other key stays in {@link #config()}.
 *
 * @return the configuration
 * @throws IllegalArgumentException naming the key and value at fault
 */
public CaConfiguration toCaConfiguration() {
  return toCaConfiguration(config);
}

/**
 * Returns {@code PrivateKey} from {@code Config}: the key of a user-supplied root.
 *
 * @return the PEM, or empty
 */
public Optional<String> privateKeyPem() {
  return Optional.ofNullable(Wire.configString(config, "PrivateKey"));
}

/**
 * Returns {@code RootCert} from {@code Config}: a user-supplied root.
 *
 * @return the PEM, or empty
 */
public Optional<String> rootCertPem() {
  return Optional.ofNullable(Wire.configString(config, "RootCert"));
}

static CaConfiguration toCaConfiguration(Map<String, Object> config) {
  CaConfiguration.Builder b = CaConfiguration.builder();
  if (config == null) {
    return b.build();
  }
  String leaf = Wire.configString(config, "LeafCertTTL");
  if (leaf != null) {
    b.leafCertTtl(Wire.configDuration("LeafCertTTL", leaf));
  }
  String intermediate = Wire.configString(config, "IntermediateCertTTL");
  if (intermediate != null) {
    b.intermediateCertTtl(Wire.configDuration("IntermediateCertTTL", intermediate));
  }
  String root = Wire.configString(config, "RootCertTTL");
  if (root != null) {
    b.rootCertTtl(Wire.configDuration("RootCertTTL", root));
  }
  String type = Wire.configString(config, "PrivateKeyType");
  Long bits = Wire.configLong(config, "PrivateKeyBits");
  if (type != null || bits != null) {
    KeyType keyType;
    try {
      keyType = KeyType.fromWireName(type == null ? "ec" : type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("private key type must be either 'ec' or 'rsa': \""
          + Texts.escape(type, 32) + "\"", e);
    }
    long defaultBits = keyType == KeyType.EC ? 256 : 2048;
    b.keySpec(CaKeySpec.of(keyType, Math.toIntExact(bits == null ? defaultBits : bits)));
  }
  Object perSecond = Wire.configValue(config, "CSRMaxPerSecond");
  if (perSecond != null) {
    b.csrMaxPerSecond(Wire.configDouble("CSRMaxPerSecond", perSecond));
  }
  Long concurrent = Wire.configLong(config, "CSRMaxConcurrent");
  if (concurrent != null) {
    b.csrMaxConcurrent(Math.toIntExact(concurrent));
  }
  return b.build();
}

static Map<String, Object> configOf(CaConfiguration c) {
  Map<String, Object> m = new TreeMap<>();
  m.put("IntermediateCertTTL", GoDuration.formatCompact(c.intermediateCertTtl()));
  m.put("LeafCertTTL", GoDuration.formatCompact(c.leafCertTtl()));
  m.put("PrivateKeyBits", c.keySpec().bits());
  m.put("PrivateKeyType", c.keySpec().keyType().wireName());
  m.put("RootCertTTL", GoDuration.formatCompact(c.rootCertTtl()));
  return m;
}
}
