package dev.connect.cache;

import dev.connect.ca.LeafRequests;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.ConnectBackend;
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
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A real embedded server and a cache over it, both on one {@link FakeTime} and one {@link
 * FakeScheduler}, so every blocking query, timeout, renewal and eviction runs on the test thread
 * when the test advances time.
 */
final class Fixture implements AutoCloseable {
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

  final FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final EmbeddedServer server;
  final ConnectCache cache;

  static Fixture open(Path dir) throws IOException {
    return open(dir, false, b -> b, new java.util.Random(1));
  }

  static Fixture open(Path dir, boolean acls, Function<EmbeddedServer, ConnectBackend> wrap,
      RandomGenerator random) throws IOException {
    return new Fixture(dir, acls, wrap, random);
  }

  private Fixture(Path dir, boolean acls, Function<EmbeddedServer, ConnectBackend> wrap,
      RandomGenerator random) throws IOException {
    EmbeddedServer.Builder b = EmbeddedServer.builder().dataDirectory(dir).clock(time)
        .scheduler(scheduler);
    if (acls) {
      b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
          .initialManagementToken(ROOT_SECRET);
    }
    this.server = b.open();
    this.cache = ConnectCache.builder(wrap.apply(server)).leafKeys(KEYS).scheduler(scheduler)
        .ticker(time).clock(time).random(random).build();
  }

  void advance(Duration d) {
    scheduler.advance(d);
  }

  void allow(String source, String destination) {
    server.upsertIntention(IntentionTarget.parse(source), IntentionTarget.parse(destination),
        IntentionAction.ALLOW, "", ROOT);
  }

  void deny(String source, String destination) {
    server.upsertIntention(IntentionTarget.parse(source), IntentionTarget.parse(destination),
        IntentionAction.DENY, "", ROOT);
  }

  @Override
  public void close() {
    cache.close();
    server.close();
    scheduler.shutdownNow();
  }
}
