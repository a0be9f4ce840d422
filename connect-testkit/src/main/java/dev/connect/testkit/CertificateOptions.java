package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * The options {@link TestCa.Builder} and {@link TestLeaf.Builder} share: the clock, the
 * validity (set exactly, as a lifetime, expired or not yet valid, which count as one option),
 * the serial, the subject and the key type. Each is recorded in the builder's {@link Options},
 * so setting one twice fails with the same message in both builders. Mutable, for one thread.
 */
final class CertificateOptions {
  private static final Duration EXPIRED_OR_PENDING_BY = Duration.ofHours(1);

  private final Options options;
  private Clock clock;
  private Instant notBefore;
  private Instant notAfter;
  private Duration ttl;
  private Boolean expired;
  private BigInteger serial;
  private X500Name subject;
  private Pki.KeyType keyType = Pki.KeyType.EC_P256;

  /**
   * Starts with the given default clock.
   *
   * @param options where the builder records what was set, shared with its own options
   * @param clock the clock to use unless {@link #clock(Clock)} sets another
   */
  CertificateOptions(Options options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  void clock(Clock clock) {
    options.set("clock", requireNonNull(clock, "clock"));
    this.clock = clock;
  }

  void validity(Instant notBefore, Instant notAfter) {
    requireNonNull(notBefore, "notBefore");
    requireNonNull(notAfter, "notAfter");
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalArgumentException("notAfter " + notAfter + " is before notBefore "
          + notBefore);
    }
    options.set("validity", notBefore + ".." + notAfter);
    this.notBefore = notBefore;
    this.notAfter = notAfter;
  }

  void validFor(Duration ttl) {
    requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    options.set("validity", "validFor " + ttl);
    this.ttl = ttl;
  }

  void expired() {
    options.set("validity", "expired");
    this.expired = true;
  }

  void notYetValid() {
    options.set("validity", "notYetValid");
    this.expired = false;
  }

  void serial(BigInteger serial) {
    options.set("serial", requireNonNull(serial, "serial"));
    this.serial = serial;
  }

  void subject(String subject) {
    options.set("subject", requireNonNull(subject, "subject"));
    this.subject = Pki.name(subject);
  }

  void ecP384() {
    options.set("key", Pki.KeyType.EC_P384);
    this.keyType = Pki.KeyType.EC_P384;
  }

  void rsa2048() {
    options.set("key", Pki.KeyType.RSA_2048);
    this.keyType = Pki.KeyType.RSA_2048;
  }

  Clock clock() {
    return clock;
  }

  Pki.KeyType keyType() {
    return keyType;
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
  Validity validity(Duration backdate, Duration defaultTtl, Duration lifetime) {
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
