package dev.connect.tls;

import dev.connect.ca.LeafRequests;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.LeafKeyFactory;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;

/**
 * A real embedded server and a cache over it on one {@link FakeTime} and {@link FakeScheduler}
 * from connect-testkit: blocking queries, renewals and re-issues run on the test
 * thread when it calls {@link #runDue()} or {@link #advance}. Time starts at the real now, so
 * that OpenSSL, which reads the real clock, agrees with our trust managers about validity.
 */
final class TlsFixture implements AutoCloseable {
  static final String ROOT_SECRET = "8f3b2c1e-0000-4000-8000-00000000root";
  static final QueryOptions ROOT = QueryOptions.builder().token(ROOT_SECRET).build();
  static final LeafKeyFactory KEYS = new LeafKeyFactory() {
    @Override
    public KeyPair newKeyPair() {
      return LeafRequests.newKeyPair();
    }

    @Override
    public String csrPem(ServiceId service, KeyPair keyPair) {
      return LeafRequests.csrPem(service, keyPair);
    }
  };

  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final EmbeddedServer server;
  final ConnectCache cache;
  final CacheRequest request = CacheRequest.anonymous();

  TlsFixture(Path dir) throws IOException {
    this.server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler)
        .open();
    this.cache = ConnectCache.builder(server).leafKeys(KEYS).scheduler(scheduler).ticker(time)
        .clock(time).random(new Random(1)).build();
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

  void advance(Duration d) {
    scheduler.advance(d);
  }

  /** Writes an intention and lets the cache's blocking query deliver it. */
  void intention(String source, String destination, IntentionAction action) {
    scheduler.runDue(); // make sure the match's blocking query is waiting
    server.upsertIntention(IntentionTarget.parse(source), IntentionTarget.parse(destination),
        action, "", ROOT);
    scheduler.runDue();
  }

  @Override
  public void close() {
    cache.close();
    server.close();
    scheduler.shutdownNow();
  }
}
