package dev.connect.cache;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.LeafIssuingBackend;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import dev.connect.core.SpiffeId;
import dev.connect.core.UnsupportedByBackendException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leaf of one service for one token and datacenter. Renewed at a uniform random instant in
 * [max(soft, now), hard), soft and hard being 60 % and 90 % of the lifetime measured from
 * ValidAfter (Consul's agent/cache-types/connect_ca_leaf.go); re-issued after a random delay in
 * the CA-change jitter window when the active root no longer signs it.
 *
 * <p>Unlike Consul, a renewal due at once (a short lifetime, or a certificate already past its
 * hard point) waits at least a floor that doubles from one second up to a minute, so a CA that
 * keeps issuing such certificates is not asked in a tight loop. Every issued certificate is
 * checked against the key pair and the identity requested before it is stored.
 *
 * <p>A leaf carries only the intermediates {@linkplain CaRoots#presentable presentable} at the
 * time: valid for more than an hour yet and issued by a listed root. When the first of them
 * stops being so (an hour before it ends, or when the root that issued it is no longer listed),
 * the entry re-chains the leaf it holds (same key, same certificate, without that intermediate)
 * without asking the CA, unless a renewal is due anyway; so a cross-signed root never reaches a
 * peer expired or issued by a root the peer no longer trusts (issue 11, item 3).
 */
final class LeafEntry extends Entry<Leaf> {
  private static final Logger log = LoggerFactory.getLogger(LeafEntry.class);
  private static final Duration SHORT_LIFETIME = Duration.ofMinutes(10);
  private static final Duration MAX_RENEWAL_FLOOR = Duration.ofSeconds(60);

  // Guarded by this.
  private boolean reissuePending;
  /** Leaves in a row not signed by the cached active root; bounds re-issues from {@link #next}. */
  private int mismatches;
  /** Renewals in a row that were due at once; sets the floor. */
  private int immediateRenewals;
  /** When the leaf served is due for renewal; before it, a fetch may only re-chain it. */
  private Instant renewAt = Instant.MIN;

  LeafEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<Leaf>> fetch(long minIndex, Call call) {
    Optional<QueryResult<Leaf>> rechained = rechained();
    if (rechained.isPresent()) {
      return CompletableFuture.completedFuture(rechained.get());
    }
    return cache.rootsAsync(request).thenCompose(roots -> {
      ServiceId service = ServiceId.of(roots.trustDomain(), key.datacenter, key.request);
      if (cache.backend instanceof CsrSigningBackend signer) {
        if (!(cache.backend instanceof LeafIssuingBackend)) {
          return sign(signer, service, roots, call);
        }
        // Both kinds (a client of Consul's HTTP API): the server says which it offers.
        return call.track(signer.signsCsrs(options)).thenCompose(signs -> signs
            ? sign(signer, service, roots, call) : issue(service, roots, call));
      }
      return issue(service, roots, call);
    });
  }

  /** A key pair made here and a CSR signed by the backend: the key never leaves this JVM. */
  private CompletableFuture<QueryResult<Leaf>> sign(CsrSigningBackend signer, ServiceId service,
      CaRoots roots, Call call) {
    KeyPair keys = cache.keyFactory.newKeyPair();
    String csr = cache.keyFactory.csrPem(service, keys);
    return call.track(signer.signLeaf(csr, options)).thenApply(r -> {
      check(r.value(), service, keys);
      return new QueryResult<>(
          new Leaf(Compact.certificate(presentable(r.value(), roots)),
              Compact.privateKey(keys.getPrivate())),
          r.index());
    });
  }

  /** A whole leaf, key included, from a backend that issues them. */
  private CompletableFuture<QueryResult<Leaf>> issue(ServiceId service, CaRoots roots,
      Call call) {
    if (cache.backend instanceof LeafIssuingBackend issuer) {
      return call.track(issuer.issueLeaf(key.request, options)).thenApply(r -> {
        IssuedCertificate issued = r.value().certificate();
        check(issued, service, issued.certificate().getPublicKey());
        checkKeyPair(issued, r.value().privateKey());
        return new QueryResult<>(
            new Leaf(Compact.certificate(presentable(issued, roots)),
                Compact.privateKey(r.value().privateKey())),
            r.index());
      });
    }
    return CompletableFuture.failedFuture(new UnsupportedByBackendException("leaf of " + service,
        cache.backend.getClass().getName(), CsrSigningBackend.class.getName() + " or "
            + LeafIssuingBackend.class.getName()));
  }

  /**
   * Checks that a whole leaf's private key belongs to its certificate, by signing with it and
   * verifying with the certificate's public key: a mismatch would fail every handshake.
   */
  static void checkKeyPair(IssuedCertificate issued, PrivateKey key) {
    PublicKey pub = issued.certificate().getPublicKey();
    String algorithm = pub.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = issued.certificate().getSignature();
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(pub);
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (InvalidKeyException | SignatureException e) {
      matches = false;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks " + algorithm, e);
    }
    if (!matches) {
      throw new ConnectException("the backend issued certificate serial "
          + issued.serialNumberHex() + " for " + issued.service().spiffeId()
          + " with a private key that does not belong to it");
    }
  }

  /**
   * Returns the leaf served with the intermediates it may no longer present removed, if that is
   * all it needs: it is signed by the active root, not yet due for renewal, and carries such an
   * intermediate. Otherwise empty, and the fetch asks the CA.
   */
  private Optional<QueryResult<Leaf>> rechained() {
    Value<Leaf> v = value;
    CaRoots roots = cache.cachedRoots(key);
    Instant now = cache.clock.instant();
    if (v == null || roots == null) {
      return Optional.empty();
    }
    synchronized (this) {
      if (reissuePending || !now.isBefore(renewAt)) {
        return Optional.empty();
      }
    }
    IssuedCertificate issued = v.value().certificate();
    if (!signedBy(issued.certificate(), roots.active())) {
      return Optional.empty();
    }
    IssuedCertificate trimmed = presentable(issued, roots);
    if (trimmed == issued) {
      return Optional.empty();
    }
    log.info("{}: re-chained leaf serial {}: it presents {} intermediate(s) instead of {}", key,
        issued.serialNumberHex(), trimmed.intermediates().size(), issued.intermediates().size());
    return Optional.of(new QueryResult<>(v.value().withCertificate(trimmed), v.index()));
  }

  /** Returns {@code issued} with only its presentable intermediates; itself if all are. */
  private IssuedCertificate presentable(IssuedCertificate issued, CaRoots roots) {
    List<X509Certificate> all = issued.intermediates();
    if (all.isEmpty()) {
      return issued;
    }
    List<X509Certificate> kept = roots.presentable(all, cache.clock.instant());
    return kept.size() == all.size() ? issued : new IssuedCertificate(issued.certificate(), kept,
        issued.service(), issued.createIndex(), issued.modifyIndex());
  }

  /**
   * Checks that the CA issued what was asked for: the public key of the pair made here, and the
   * SPIFFE ID of the service. A mismatch fails the load or renewal; nothing is stored.
   */
  static void check(IssuedCertificate issued, ServiceId service, KeyPair keys) {
    check(issued, service, keys.getPublic());
  }

  private static void check(IssuedCertificate issued, ServiceId service, PublicKey requested) {
    X509Certificate cert = issued.certificate();
    if (!Arrays.equals(cert.getPublicKey().getEncoded(), requested.getEncoded())) {
      throw new ConnectException("the CA issued certificate serial " + issued.serialNumberHex()
          + " for a public key other than the one requested for " + service.spiffeId());
    }
    SpiffeId id;
    try {
      id = SpiffeId.fromCertificate(cert);
    } catch (RuntimeException e) {
      throw new ConnectException("the CA issued certificate serial " + issued.serialNumberHex()
          + " without a valid SPIFFE ID; requested " + service.spiffeId(), e);
    }
    if (!id.equals(service.spiffeId())) {
      throw new ConnectException("the CA issued certificate serial " + issued.serialNumberHex()
          + " for " + id + ", not for the requested " + service.spiffeId());
    }
  }

  /**
   * Every fetch issues a new certificate: the same one only if the serial repeats and it carries
   * the same intermediates (a re-chained leaf keeps its serial).
   */
  @Override
  boolean same(Value<Leaf> current, QueryResult<Leaf> result) {
    IssuedCertificate now = current.value().certificate();
    IssuedCertificate fetched = result.value().certificate();
    return now.serialNumber().equals(fetched.serialNumber())
        && now.intermediates().equals(fetched.intermediates());
  }

  /** A forced fetch replaces the leaf unless it started earlier than the one served. */
  @Override
  boolean notOlder(Value<Leaf> current, QueryResult<Leaf> result) {
    return !result.value().validAfter().isBefore(current.value().validAfter());
  }

  /** A leaf is never served at or past its validBefore. */
  @Override
  Value<Leaf> newValue(Leaf leaf, long index) {
    return new Value<>(leaf, index, leaf.validBeforeMillis());
  }

  @Override
  void next(Value<Leaf> current, long minIndex, boolean moved) {
    Leaf leaf = current.value();
    Instant now = cache.clock.instant();
    CaRoots roots = cache.cachedRoots(key);
    boolean reissue = false;
    Duration delay;
    synchronized (this) {
      reissuePending = false;
      // A rotation seen while this fetch was in flight (or before a first load finished) left
      // no re-issue behind: compare with the active root now. At most twice in a row, so a CA
      // whose key IDs never match cannot turn this into a signing loop.
      if (roots != null && !signedBy(leaf.certificate().certificate(), roots.active())) {
        if (++mismatches <= 2) {
          reissuePending = true;
          reissue = true;
        }
      } else {
        mismatches = 0;
      }
      Instant at = renewalInstant(leaf, now);
      renewAt = at;
      Optional<Instant> chainEnd =
          CaRoots.presentableUntil(leaf.certificate().intermediates());
      if (chainEnd.isPresent() && chainEnd.get().isBefore(at) && chainEnd.get().isAfter(now)) {
        // Re-chained, not re-issued, when the intermediate stops being presentable: no burst of
        // signatures when every leaf issued after a rotation reaches that point together.
        immediateRenewals = 0;
        delay = Duration.between(now, chainEnd.get());
      } else if (at.isAfter(now)) {
        immediateRenewals = 0;
        delay = Duration.between(now, at);
      } else {
        int n = immediateRenewals++;
        delay = Duration.ofSeconds(1L << Math.min(n, 6));
        if (delay.compareTo(MAX_RENEWAL_FLOOR) > 0) {
          delay = MAX_RENEWAL_FLOOR;
        }
      }
    }
    if (reissue) {
      Duration jitter = Duration.ofNanos(cache.randomLong(cache.caChangeJitter.toNanos()));
      if (jitter.compareTo(delay) < 0) {
        delay = jitter;
      }
    }
    schedule(delay, 0);
  }

  @Override
  boolean usableAfterFailure() {
    Value<Leaf> v = value;
    return v != null && cache.clock.instant().isBefore(v.value().validBefore());
  }

  Instant renewalInstant(Leaf leaf, Instant now) {
    Instant validAfter = leaf.validAfter();
    long lifetime = Duration.between(validAfter, leaf.validBefore()).toMillis();
    Instant soft = validAfter.plusMillis(lifetime * 6 / 10);
    Instant hard = validAfter.plusMillis(lifetime * 9 / 10);
    if (lifetime < SHORT_LIFETIME.toMillis() || !now.isBefore(hard)) {
      return now;
    }
    Instant from = soft.isAfter(now) ? soft : now;
    long span = Duration.between(from, hard).toMillis();
    return span <= 0 ? from : from.plusMillis(cache.randomLong(span));
  }

  /** Called when the active root of this entry's partition changed (or was first loaded). */
  void rootsRotated(CaRoots roots) {
    Value<Leaf> v = value;
    if (v == null) {
      return;
    }
    if (signedBy(v.value().certificate().certificate(), roots.active())) {
      IssuedCertificate issued = v.value().certificate();
      if (presentable(issued, roots) != issued) {
        // The root that issued an intermediate it presents is no longer listed: re-chain now.
        synchronized (this) {
          if (reissuePending) {
            return;
          }
        }
        schedule(Duration.ZERO, 0);
      }
      return;
    }
    synchronized (this) {
      if (reissuePending) {
        return;
      }
      reissuePending = true;
    }
    Duration delay = Duration.ofNanos(cache.randomLong(cache.caChangeJitter.toNanos()));
    schedule(delay, 0);
  }

  static boolean signedBy(X509Certificate leaf, CaRoot root) {
    byte[] akid = authorityKeyId(leaf);
    if (akid == null) {
      return leaf.getIssuerX500Principal().equals(root.certificate().getSubjectX500Principal());
    }
    try {
      return Arrays.equals(akid, HexFormat.ofDelimiter(":").parseHex(root.signingKeyId()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The keyIdentifier of the AuthorityKeyIdentifier extension (RFC 5280 4.2.1.1), or null. */
  static byte[] authorityKeyId(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue("2.5.29.35");
    if (ext == null) {
      return null;
    }
    int[] at = {0};
    if (!expect(ext, at, 0x04) || !expect(ext, at, 0x30) || at[0] >= ext.length
        || (ext[at[0]] & 0xff) != 0x80) {
      return null;
    }
    at[0]++;
    int len = length(ext, at);
    if (len < 0 || at[0] + len > ext.length) {
      return null;
    }
    return Arrays.copyOfRange(ext, at[0], at[0] + len);
  }

  private static boolean expect(byte[] der, int[] at, int tag) {
    if (at[0] >= der.length || (der[at[0]] & 0xff) != tag) {
      return false;
    }
    at[0]++;
    return length(der, at) >= 0;
  }

  private static int length(byte[] der, int[] at) {
    if (at[0] >= der.length) {
      return -1;
    }
    int first = der[at[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    if (n == 0 || n > 3 || at[0] + n > der.length) {
      return -1;
    }
    int len = 0;
    for (int i = 0; i < n; i++) {
      len = (len << 8) | (der[at[0]++] & 0xff);
    }
    return len;
  }
}
