package dev.connect.cache;

import dev.connect.ca.LeafRequests;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.ConnectBackend;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A real embedded server and a cache over it, both on one {@link FakeTime} and one {@link
 * FakeScheduler}, so every blocking query, timeout, renewal and eviction runs on the test thread
 * when the test advances time.
 *
 * <p>The one copy for every module's tests: connect-cache publishes it in its test-jar, and
 * connect-tls's {@code TlsFixture} extends it (connect-testkit, below every module, cannot
 * reach the server or the cache).
 */
public class Fixture implements AutoCloseable {
  /** The initial management token's secret when ACLs are on. */
  public static final String ROOT_SECRET = "8f3b2c1e-0000-4000-8000-00000000root";
  /** Query options carrying {@link #ROOT_SECRET}. */
  public static final QueryOptions ROOT = QueryOptions.builder().token(ROOT_SECRET).build();
  /** Leaf keys and CSRs made by connect-ca's {@link LeafRequests}. */
  public static final LeafKeyFactory KEYS = LeafKeyFactory.of(LeafRequests::newKeyPair,
      LeafRequests::csrPem);
  /** Where {@link #open(Path)} starts time. */
  public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  /** The clock and ticker of the server and the cache. */
  public final FakeTime time;
  /** The scheduler of the server and the cache, run on the test thread. */
  public final FakeScheduler scheduler;
  /** The embedded server, ACLs off unless opened with them. */
  public final EmbeddedServer server;
  /** The cache over {@link #server}. */
  public final ConnectCache cache;

  /** Opens a server without ACLs in {@code dir} and a cache over it, at {@link #START}. */
  public static Fixture open(Path dir) throws IOException {
    return open(dir, false, b -> b, new java.util.Random(1));
  }

  static Fixture open(Path dir, boolean acls, Function<EmbeddedServer, ConnectBackend> wrap,
      RandomGenerator random) throws IOException {
    return new Fixture(dir, START, acls, wrap, random);
  }

  /** Opens a server without ACLs in {@code dir} and a cache over it, with time at {@code start}. */
  protected Fixture(Path dir, Instant start) throws IOException {
    this(dir, start, false, b -> b, new java.util.Random(1));
  }

  private Fixture(Path dir, Instant start, boolean acls,
      Function<EmbeddedServer, ConnectBackend> wrap, RandomGenerator random) throws IOException {
    this.time = FakeTime.at(start);
    this.scheduler = FakeScheduler.on(time);
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

  /** Moves time by {@code d}, running on this thread whatever falls due. */
  public void advance(Duration d) {
    scheduler.advance(d);
  }

  /** Allows {@code source} to connect to {@code destination}. */
  public void allow(String source, String destination) {
    intention(source, destination, IntentionAction.ALLOW);
  }

  /** Denies {@code source} connections to {@code destination}. */
  public void deny(String source, String destination) {
    intention(source, destination, IntentionAction.DENY);
  }

  /** Writes an intention with the management token. */
  public void intention(String source, String destination, IntentionAction action) {
    server.upsertIntention(IntentionTarget.parse(source), IntentionTarget.parse(destination),
        action, "", ROOT);
  }

  /** Closes the cache, then the server, then the scheduler. */
  @Override
  public void close() {
    cache.close();
    server.close();
    scheduler.shutdownNow();
  }
}
