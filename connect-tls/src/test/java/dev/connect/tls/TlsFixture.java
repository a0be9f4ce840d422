package dev.connect.tls;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.Fixture;
import dev.connect.core.IntentionAction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * connect-cache's {@link Fixture} (a real embedded server and a cache over it on one fake time
 * and scheduler) for TLS tests: time starts at the real now, so that OpenSSL, which reads the
 * real clock, agrees with our trust managers about validity; identities are read anonymously.
 */
final class TlsFixture extends Fixture {
  final CacheRequest request = CacheRequest.anonymous();

  TlsFixture(Path dir) throws IOException {
    super(dir, Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  ConnectIdentity identity(String service) {
    return ConnectIdentity.of(cache, service, request);
  }

  String trustDomain() {
    return cache.roots(request).trustDomain();
  }

  void runDue() {
    scheduler.runDue();
  }

  /** Writes an intention and lets the cache's blocking query deliver it. */
  @Override
  public void intention(String source, String destination, IntentionAction action) {
    scheduler.runDue(); // make sure the match's blocking query is waiting
    super.intention(source, destination, action);
    scheduler.runDue();
  }
}
