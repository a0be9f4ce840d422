package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The options every test certificate builder offers, {@link TestCa.Builder} and {@link
 * TestLeaf.Builder} alike: the clock, the validity (set exactly, as a lifetime, expired or not
 * yet valid, which count as one option), the serial, the subject, the key and further URI SANs.
 * Each option but {@link #additionalUri(String)} may be set once; setting one twice throws
 * {@link IllegalStateException} naming the earlier value.
 *
 * <p>Only those two builders extend it; each method returns the builder it is called on, so
 * calls chain with the builder's own options:
 *
 * <pre>{@code
 * TestLeaf old = root.leaf("web").serial(BigInteger.TEN).expired().dnsName("web").build();
 * }</pre>
 *
 * <p>Mutable, for one thread.
 *
 * @param <B> the builder's own type
 */
public abstract sealed class CertificateOptions<B extends CertificateOptions<B>>
    permits TestCa.Builder, TestLeaf.Builder {
  private static final Duration EXPIRED_OR_PENDING_BY = Duration.ofHours(1);

  /** What the builder has set, its own options included. */
  final Options options = new Options();
  private Clock clock;
  private Instant notBefore;
  private Instant notAfter;
  private Duration ttl;
  private Boolean expired;
  private BigInteger serial;
  private X500Name subject;
  private Pki.KeyType keyType = Pki.KeyType.EC_P256;
  private KeyPair keyPair;
  /** The URI SANs after the first, in order. */
  final List<String> extraUris = new ArrayList<>();

  /**
   * Starts with the given default clock.
   *
   * @param clock the clock to use unless {@link #clock(Clock)} sets another
   */
  CertificateOptions(Clock clock) {
    this.clock = clock;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Sets what "now" is for the default validity (and, for a root, for every certificate it
   * issues). Default: the issuing CA's clock; {@link Clock#systemUTC()} for a root. Pass a
   * {@link FakeTime} to control it.
   *
   * @param clock the clock
   * @return this builder
   */
  public B clock(Clock clock) {
    options.set("clock", requireNonNull(clock, "clock"));
    this.clock = clock;
    return self();
  }

  /**
   * Sets the validity period exactly (X.509 keeps whole seconds).
   *
   * @param notBefore the first valid instant
   * @param notAfter the last valid instant
   * @return this builder
   * @throws IllegalArgumentException if {@code notAfter} is before {@code notBefore}
   */
  public B validity(Instant notBefore, Instant notAfter) {
    requireNonNull(notBefore, "notBefore");
    requireNonNull(notAfter, "notAfter");
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalArgumentException("notAfter " + notAfter + " is before notBefore "
          + notBefore);
    }
    options.set("validity", notBefore + ".." + notAfter);
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    return self();
  }

  /**
   * Sets the lifetime from the default start. Default: ten years from now for a root, one year
   * from a minute ago for an intermediate, 72 hours from a minute ago for a leaf.
   *
   * @param ttl the lifetime
   * @return this builder
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  public B validFor(Duration ttl) {
    requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    options.set("validity", "validFor " + ttl);
    this.ttl = ttl;
    return self();
  }

  /**
   * Makes a certificate whose validity ended an hour ago: a CA's lasted a day, a leaf's 72
   * hours.
   *
   * @return this builder
   */
  public B expired() {
    options.set("validity", "expired");
    this.expired = true;
    return self();
  }

  /**
   * Makes a certificate whose validity starts in an hour: a day for a CA, 72 hours for a leaf.
   *
   * @return this builder
   */
  public B notYetValid() {
    options.set("validity", "notYetValid");
    this.expired = false;
    return self();
  }

  /**
   * Sets the serial number. Default: random, positive, 159 bits.
   *
   * @param serial the serial
   * @return this builder
   */
  public B serial(BigInteger serial) {
    options.set("serial", requireNonNull(serial, "serial"));
    this.serial = serial;
    return self();
  }

  /**
   * Sets the subject, an RFC 4514 name such as {@code CN=Test Root,O=Example}. Default: as
   * Consul names them, {@code pri-<uid>.consul.ca.<first 8 of the cluster ID>.consul} for a
   * root ({@code sec-} for an intermediate) and Consul 1.10's {@code
   * CN=<service>.svc.<namespace>.<first 8 of the cluster ID>.consul} for a leaf.
   *
   * @param subject the distinguished name; for a leaf, {@code ""} is Consul 1.11's empty
   *     subject, which also marks the SAN extension critical, as Consul 1.11 does and RFC 5280
   *     requires
   * @return this builder
   */
  public B subject(String subject) {
    options.set("subject", requireNonNull(subject, "subject"));
    this.subject = Pki.name(subject);
    return self();
  }

  /**
   * Uses an EC P-384 key instead of the default EC P-256.
   *
   * @return this builder
   */
  public B ecP384() {
    options.set("key", Pki.KeyType.EC_P384);
    this.keyType = Pki.KeyType.EC_P384;
    return self();
  }

  /**
   * Uses an RSA 2048-bit key instead of the default EC P-256.
   *
   * @return this builder
   */
  public B rsa2048() {
    options.set("key", Pki.KeyType.RSA_2048);
    this.keyType = Pki.KeyType.RSA_2048;
    return self();
  }

  /**
   * Certifies {@code keyPair} instead of a new one: a renewal that keeps its key, a key an
   * earlier certificate has, or a key type the presets lack (such as EC P-521). Default: a new
   * EC P-256 key pair.
   *
   * @param keyPair the key pair
   * @return this builder
   */
  public B keyPair(KeyPair keyPair) {
    options.set("key", "given key pair");
    this.keyPair = requireNonNull(keyPair, "keyPair");
    return self();
  }

  /**
   * Adds a URI SAN after the first, written as given: a CA with two identities, or a leaf with
   * two URI SANs, which an X.509 SVID must not have. May be called more than once.
   *
   * @param uri the further URI SAN
   * @return this builder
   */
  public B additionalUri(String uri) {
    extraUris.add(requireNonNull(uri, "uri"));
    return self();
  }

  Clock clock() {
    return clock;
  }

  /** Returns the key pair set, or a new one of the key type chosen. */
  KeyPair keyPairOrGenerate() {
    return keyPair != null ? keyPair : keyType.generate();
  }

  /** Returns the serial set, or a new random one. */
  BigInteger serialOrRandom() {
    return serial != null ? serial : Pki.randomSerial();
  }

  /** Returns the subject set, or the default, computed only when none was set. */
  X500Name subjectOr(Supplier<X500Name> byDefault) {
    return subject != null ? subject : byDefault.get();
  }

  /**
   * Returns the validity period at the clock's now, in whole seconds: the exact period if one
   * was set; for {@code expired()} a {@code lifetime} that ended an hour ago; for {@code
   * notYetValid()} a {@code lifetime} that starts in an hour; otherwise from {@code backdate}
   * before now for the {@code validFor} lifetime, or {@code defaultTtl}.
   */
  Validity validityAt(Duration backdate, Duration defaultTtl, Duration lifetime) {
    if (notBefore != null) {
      return new Validity(notBefore, notAfter);
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    if (expired != null) {
      if (expired) {
        Instant to = now.minus(EXPIRED_OR_PENDING_BY);
        return new Validity(to.minus(lifetime), to);
      }
      Instant from = now.plus(EXPIRED_OR_PENDING_BY);
      return new Validity(from, from.plus(lifetime));
    }
    Instant from = now.minus(backdate);
    return new Validity(from, from.plus(ttl != null ? ttl : defaultTtl));
  }

  /** A certificate's validity period, both ends inclusive. */
  record Validity(Instant notBefore, Instant notAfter) {}
}
