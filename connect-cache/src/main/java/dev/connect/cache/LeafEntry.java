package dev.connect.cache;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * The leaf of one service for one token and datacenter. Renewed at a uniform random instant in
 * [max(soft, now), hard), soft and hard being 60 % and 90 % of the lifetime measured from
 * ValidAfter (Consul's agent/cache-types/connect_ca_leaf.go); re-issued after a random delay in
 * the CA-change jitter window when the active root no longer signs it.
 */
final class LeafEntry extends Entry<Leaf> {
  private static final Duration SHORT_LIFETIME = Duration.ofMinutes(10);

  private boolean reissuePending; // guarded by this

  LeafEntry(CacheKey key, CacheRequest request, ConnectCache cache) {
    super(key, request, cache);
  }

  @Override
  CompletableFuture<QueryResult<Leaf>> fetch(long minIndex) {
    return cache.rootsAsync(request).thenCompose(roots -> {
      ServiceId service = ServiceId.of(roots.trustDomain(), key.datacenter, key.request);
      KeyPair keys = cache.keyFactory.newKeyPair();
      String csr = cache.keyFactory.csrPem(service, keys);
      return cache.backend.signLeaf(csr, request.options()).thenApply(r ->
          new QueryResult<>(new Leaf(r.value(), keys.getPrivate()), r.index()));
    });
  }

  @Override
  void next(Value<Leaf> current) {
    synchronized (this) {
      reissuePending = false;
    }
    Instant now = cache.clock.instant();
    schedule(Duration.between(now, renewalInstant(current.value(), now)), () -> attempt(0));
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

  /** Called when the active root of this entry's partition changed. */
  void rootsRotated(CaRoots roots) {
    Value<Leaf> v = value;
    if (v == null || signedBy(v.value().certificate().certificate(), roots.active())) {
      return;
    }
    synchronized (this) {
      if (reissuePending) {
        return;
      }
      reissuePending = true;
    }
    Duration delay = Duration.ofNanos(cache.randomLong(cache.caChangeJitter.toNanos()));
    schedule(delay, () -> attempt(0));
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
