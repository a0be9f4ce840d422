package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.internal.GoDurations;
import dev.connect.ca.internal.LeafKeys;
import dev.connect.core.BuilderOptions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The settings of a certificate authority: Consul's CA configuration ({@code LeafCertTTL},
 * {@code IntermediateCertTTL}, {@code RootCertTTL}, {@code PrivateKeyType}/{@code PrivateKeyBits},
 * {@code CSRMaxPerSecond}, {@code CSRMaxConcurrent}), validated by Consul's rules.
 *
 * <p>Start from {@link #defaults()} or {@link #builder()}; every setting has Consul's default:
 *
 * <pre>{@code
 * CaConfiguration config = CaConfiguration.builder()
 *     .leafCertTtl(Duration.ofHours(24))
 *     .rsa2048()
 *     .build();
 * }</pre>
 *
 * <p>The rules, checked by {@link Builder#build()} in Consul's order: root TTL at least the
 * intermediate TTL; leaf TTL from 1 hour to 8760 hours (365 days) inclusive; intermediate TTL at
 * least 3 hours and at least three leaf TTLs. The intermediate TTL matters only to CAs with an
 * intermediate (secondary datacenters, Vault); the built-in CA of a primary signs leaves with its
 * root.
 *
 * <p>Which leaf keys a CSR may carry is fixed, not configured: see {@link
 * #allowsLeafKey(PublicKey)}. Instances are immutable and thread-safe.
 */
public final class CaConfiguration {
  private static final Duration MIN_LEAF_CERT_TTL = Duration.ofHours(1);
  private static final Duration MAX_LEAF_CERT_TTL = Duration.ofHours(365 * 24);
  private static final Duration MIN_INTERMEDIATE_CERT_TTL = Duration.ofHours(3);

  private static final CaConfiguration DEFAULTS = new Builder().build();

  private final Duration leafCertTtl;
  private final Duration intermediateCertTtl;
  private final Duration rootCertTtl;
  private final CaKeySpec keySpec;
  private final double csrMaxPerSecond;
  private final int csrMaxConcurrent;

  private CaConfiguration(Builder b) {
    this.leafCertTtl = b.leafCertTtl;
    this.intermediateCertTtl = b.intermediateCertTtl;
    this.rootCertTtl = b.rootCertTtl;
    this.keySpec = b.keySpec;
    this.csrMaxPerSecond = b.csrMaxPerSecond;
    this.csrMaxConcurrent = b.csrMaxConcurrent;
  }

  /** Returns Consul's default configuration: every setting at the default its builder states. */
  public static CaConfiguration defaults() {
    return DEFAULTS;
  }

  /** Returns a builder with every setting at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this configuration's settings, to change some of them. The copied
   * settings do not count as set: each can be changed once, as in {@code
   * config.toBuilder().leafCertTtl(Duration.ofHours(24)).build()}.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.leafCertTtl = leafCertTtl;
    b.intermediateCertTtl = intermediateCertTtl;
    b.rootCertTtl = rootCertTtl;
    b.keySpec = keySpec;
    b.csrMaxPerSecond = csrMaxPerSecond;
    b.csrMaxConcurrent = csrMaxConcurrent;
    return b;
  }

  /** Returns how long a leaf is valid after its back-dated start; default 72 hours. */
  public Duration leafCertTtl() {
    return leafCertTtl;
  }

  /** Returns how long an intermediate is valid; default 8760 hours (365 days). */
  public Duration intermediateCertTtl() {
    return intermediateCertTtl;
  }

  /** Returns how long a generated root is valid; default 87600 hours (3650 days). */
  public Duration rootCertTtl() {
    return rootCertTtl;
  }

  /** Returns the type and size of a generated CA key; default {@link CaKeySpec#EC_P256}. */
  public CaKeySpec keySpec() {
    return keySpec;
  }

  /**
   * Returns the most CSRs the server signs per second, burst 1; 0 means no rate limit and lets
   * {@link #csrMaxConcurrent()} apply instead; default 50.
   */
  public double csrMaxPerSecond() {
    return csrMaxPerSecond;
  }

  /**
   * Returns the most CSRs the server signs at once, used only when {@link #csrMaxPerSecond()} is
   * 0; 0 means no limit; default 0.
   */
  public int csrMaxConcurrent() {
    return csrMaxConcurrent;
  }

  /**
   * Tells whether a CSR may carry {@code key} as the public key of a leaf: EC on the named curves
   * NIST P-256 or P-384 (not spelled out as explicit parameters, which RFC 5480 forbids in
   * certificates), or RSA with a modulus of 2048 to 4096 bits and an odd public exponent from 3
   * to 2<sup>32</sup> - 1. Consul agents always make EC P-256 leaf keys, whatever the CA's key.
   *
   * <p>{@link CertificateRequest#validate} applies this rule to the key's encoding before it
   * decodes the key or verifies the CSR's signature, so that a huge key costs no CPU.
   *
   * @param key a public key from a CSR
   * @return true if a leaf may carry it
   */
  public boolean allowsLeafKey(PublicKey key) {
    byte[] encoded = requireNonNull(key, "key").getEncoded();
    if (encoded == null) {
      return false;
    }
    SubjectPublicKeyInfo spki;
    try {
      spki = SubjectPublicKeyInfo.getInstance(encoded);
    } catch (RuntimeException e) {
      return false;
    }
    return LeafKeys.allows(spki);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CaConfiguration other
        && leafCertTtl.equals(other.leafCertTtl)
        && intermediateCertTtl.equals(other.intermediateCertTtl)
        && rootCertTtl.equals(other.rootCertTtl)
        && keySpec == other.keySpec
        && Double.compare(csrMaxPerSecond, other.csrMaxPerSecond) == 0
        && csrMaxConcurrent == other.csrMaxConcurrent;
  }

  @Override
  public int hashCode() {
    return Objects.hash(leafCertTtl, intermediateCertTtl, rootCertTtl, keySpec, csrMaxPerSecond,
        csrMaxConcurrent);
  }

  /** Returns every setting, with durations as Consul writes them ({@code 72h0m0s}). */
  @Override
  public String toString() {
    return "CaConfiguration[leafCertTtl=" + GoDurations.format(leafCertTtl)
        + ", intermediateCertTtl=" + GoDurations.format(intermediateCertTtl)
        + ", rootCertTtl=" + GoDurations.format(rootCertTtl)
        + ", keySpec=" + keySpec
        + ", csrMaxPerSecond=" + csrMaxPerSecond
        + ", csrMaxConcurrent=" + csrMaxConcurrent + "]";
  }

  /**
   * A mutable builder of {@link CaConfiguration}. Values that are wrong on their own are refused
   * by their setter; the TTL rules, which relate settings to each other, by {@link #build()}.
   *
   * <p>Each setting may be set once: setting it again, including through a key spec preset such
   * as {@link #rsa2048()}, throws {@link IllegalStateException} naming the earlier value
   * ("leafCertTtl was already set to PT72H"), since a second call is more often a mistake than a
   * wish to override. Settings copied by {@link CaConfiguration#toBuilder()} do not count as set.
   */
  public static final class Builder {
    private Duration leafCertTtl = Duration.ofHours(72);
    private Duration intermediateCertTtl = Duration.ofHours(8760);
    private Duration rootCertTtl = Duration.ofHours(87600);
    private CaKeySpec keySpec = CaKeySpec.EC_P256;
    private double csrMaxPerSecond = 50;
    private int csrMaxConcurrent = 0;
    private final EnumSet<Setting> set = EnumSet.noneOf(Setting.class);

    private Builder() {}

    /**
     * Sets how long a leaf is valid after its back-dated start; default 72 hours.
     *
     * @param ttl from 1 hour to 8760 hours, checked by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if the leaf TTL was already set on this builder
     */
    public Builder leafCertTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      markSet(Setting.LEAF_CERT_TTL, leafCertTtl);
      this.leafCertTtl = ttl;
      return this;
    }

    /**
     * Sets how long an intermediate is valid; default 8760 hours.
     *
     * @param ttl at least 3 hours and three leaf TTLs, checked by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if the intermediate TTL was already set on this builder
     */
    public Builder intermediateCertTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      markSet(Setting.INTERMEDIATE_CERT_TTL, intermediateCertTtl);
      this.intermediateCertTtl = ttl;
      return this;
    }

    /**
     * Sets how long a generated root is valid; default 87600 hours.
     *
     * @param ttl at least the intermediate TTL, checked by {@link #build()}
     * @return this builder
     * @throws IllegalStateException if the root TTL was already set on this builder
     */
    public Builder rootCertTtl(Duration ttl) {
      requireNonNull(ttl, "ttl");
      markSet(Setting.ROOT_CERT_TTL, rootCertTtl);
      this.rootCertTtl = ttl;
      return this;
    }

    /**
     * Sets the type and size of a generated CA key; default {@link CaKeySpec#EC_P256}. The
     * presets {@link #ecP256()}, {@link #ecP384()}, {@link #rsa2048()} and {@link #rsa4096()}
     * say the same more briefly.
     *
     * @param keySpec the key spec
     * @return this builder
     * @throws IllegalStateException if the key spec was already set on this builder, by this
     *     method or a preset
     */
    public Builder keySpec(CaKeySpec keySpec) {
      requireNonNull(keySpec, "keySpec");
      markSet(Setting.KEY_SPEC, this.keySpec);
      this.keySpec = keySpec;
      return this;
    }

    /**
     * Generates EC P-256 CA keys, the default.
     *
     * @return this builder
     * @throws IllegalStateException if the key spec was already set on this builder
     */
    public Builder ecP256() {
      return keySpec(CaKeySpec.EC_P256);
    }

    /**
     * Generates EC P-384 CA keys.
     *
     * @return this builder
     * @throws IllegalStateException if the key spec was already set on this builder
     */
    public Builder ecP384() {
      return keySpec(CaKeySpec.EC_P384);
    }

    /**
     * Generates RSA 2048-bit CA keys.
     *
     * @return this builder
     * @throws IllegalStateException if the key spec was already set on this builder
     */
    public Builder rsa2048() {
      return keySpec(CaKeySpec.RSA_2048);
    }

    /**
     * Generates RSA 4096-bit CA keys.
     *
     * @return this builder
     * @throws IllegalStateException if the key spec was already set on this builder
     */
    public Builder rsa4096() {
      return keySpec(CaKeySpec.RSA_4096);
    }

    /**
     * Sets the most CSRs the server signs per second; default 50; 0 turns the rate limit off.
     *
     * @param perSecond a finite number, 0 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code perSecond} is negative, infinite or NaN
     * @throws IllegalStateException if the rate was already set on this builder
     */
    public Builder csrMaxPerSecond(double perSecond) {
      if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
        throw new IllegalArgumentException(
            "csrMaxPerSecond must be a finite number, 0 or more: " + perSecond);
      }
      markSet(Setting.CSR_MAX_PER_SECOND, csrMaxPerSecond);
      this.csrMaxPerSecond = perSecond;
      return this;
    }

    /**
     * Sets the most CSRs the server signs at once when {@code csrMaxPerSecond} is 0; default 0,
     * no limit.
     *
     * @param concurrent 0 or more
     * @return this builder
     * @throws IllegalArgumentException if {@code concurrent} is negative
     * @throws IllegalStateException if the limit was already set on this builder
     */
    public Builder csrMaxConcurrent(int concurrent) {
      if (concurrent < 0) {
        throw new IllegalArgumentException("csrMaxConcurrent must be 0 or more: " + concurrent);
      }
      markSet(Setting.CSR_MAX_CONCURRENT, csrMaxConcurrent);
      this.csrMaxConcurrent = concurrent;
      return this;
    }

    /**
     * Checks the TTL rules in Consul's order and returns the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException with Consul's message, followed by the offending value,
     *     if a rule is broken
     */
    public CaConfiguration build() {
      if (rootCertTtl.compareTo(intermediateCertTtl) < 0) {
        throw new IllegalArgumentException("root cert TTL is set and is not greater than"
            + " intermediate cert ttl. root cert ttl: " + GoDurations.format(rootCertTtl)
            + ", intermediate cert ttl: " + GoDurations.format(intermediateCertTtl));
      }
      if (leafCertTtl.compareTo(MIN_LEAF_CERT_TTL) < 0) {
        throw new IllegalArgumentException("leaf cert TTL must be greater or equal than "
            + GoDurations.format(MIN_LEAF_CERT_TTL) + ": " + GoDurations.format(leafCertTtl));
      }
      if (leafCertTtl.compareTo(MAX_LEAF_CERT_TTL) > 0) {
        throw new IllegalArgumentException("leaf cert TTL must be less than "
            + GoDurations.format(MAX_LEAF_CERT_TTL) + ": " + GoDurations.format(leafCertTtl));
      }
      if (intermediateCertTtl.compareTo(MIN_INTERMEDIATE_CERT_TTL) < 0) {
        throw new IllegalArgumentException("Intermediate Cert TTL must be greater or equal than"
            + " 3h: " + GoDurations.format(intermediateCertTtl));
      }
      Duration threeLeaves = leafCertTtl.multipliedBy(3);
      if (intermediateCertTtl.compareTo(threeLeaves) < 0) {
        throw new IllegalArgumentException("Intermediate Cert TTL must be greater or equal than"
            + " 3 * LeafCertTTL (>=" + GoDurations.format(threeLeaves) + "): "
            + GoDurations.format(intermediateCertTtl));
      }
      return new CaConfiguration(this);
    }

    private void markSet(Setting setting, Object current) {
      if (!set.add(setting)) {
        throw BuilderOptions.alreadySet(setting.option, current);
      }
    }

    /** The settings, by the name of their setter. */
    private enum Setting {
      LEAF_CERT_TTL("leafCertTtl"),
      INTERMEDIATE_CERT_TTL("intermediateCertTtl"),
      ROOT_CERT_TTL("rootCertTtl"),
      KEY_SPEC("keySpec"),
      CSR_MAX_PER_SECOND("csrMaxPerSecond"),
      CSR_MAX_CONCURRENT("csrMaxConcurrent");

      private final String option;

      Setting(String option) {
        this.option = option;
      }
    }
  }
}
