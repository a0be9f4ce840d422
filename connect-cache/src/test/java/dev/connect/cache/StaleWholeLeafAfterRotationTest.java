package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import dev.connect.core.IssuedLeaf;
import dev.connect.core.LeafIssuingBackend;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 14): over a backend that hands out whole leaves (Consul's agent, {@code
 * connect agent}'s leaf endpoint), a leaf was not re-issued under the new root for up to its
 * normal renewal after a rotation. Such a server keeps serving its cached old-root leaf for a
 * while (Consul's agent re-issues within its own 30 s CA-change jitter); the cache asked at most
 * twice within its jitter window, got the old leaf both times and then waited for the renewal,
 * days later. It now keeps asking with a bounded backoff until the leaf chains to the new root.
 */
class StaleWholeLeafAfterRotationTest {
  /** How long the server below keeps serving its old-root leaf after a rotation. */
  static final Duration SERVER_STALENESS = Duration.ofSeconds(30);

  @TempDir Path dir;
  final FakeTime time = FakeTime.at(Fixture.START);
  final FakeScheduler scheduler = FakeScheduler.on(time);
  EmbeddedServer server;
  CachingLeafServer backend;
  ConnectCache cache;

  /**
   * Issues whole leaves as Consul's agent does, keeping the last one per service and handing it
   * out again until {@code staleness} after it first saw that the active root no longer signs it.
   */
  static final class CachingLeafServer implements LeafIssuingBackend {
    final EmbeddedServer ca;
    final FakeTime time;
    final AtomicInteger issueCalls = new AtomicInteger();
    final List<QueryOptions> issueOptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile Duration staleness;
    private IssuedLeaf held;
    /** The index at which the leaf held was issued. */
    volatile long heldIndex;
    private Instant staleSince;

    CachingLeafServer(EmbeddedServer ca, FakeTime time, Duration staleness) {
      this.ca = ca;
      this.time = time;
      this.staleness = staleness;
    }

    @Override
    public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
      return ca.roots(options);
    }

    @Override
    public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
        QueryOptions options) {
      return ca.matchIntentions(destination, options);
    }

    @Override
    public synchronized CompletableFuture<QueryResult<IssuedLeaf>> issueLeaf(String service,
        QueryOptions options) {
      if (issueCalls.incrementAndGet() > 1_000) {
        throw new AssertionError("busy loop: more than 1,000 leaf requests");
      }
      issueOptions.add(options);
      CaRoots roots = ca.roots(QueryOptions.defaults()).join().value();
      if (held != null) {
        if (LeafEntry.signedBy(held.certificate().certificate(), roots.active())) {
          return CompletableFuture.completedFuture(new QueryResult<>(held, heldIndex));
        }
        if (staleSince == null) {
          staleSince = time.instant();
        }
        if (time.instant().isBefore(staleSince.plus(staleness))) {
          return CompletableFuture.completedFuture(new QueryResult<>(held, heldIndex));
        }
      }
      staleSince = null;
      KeyPair keys = LeafRequests.newKeyPair();
      ServiceId id = ServiceId.of(ca.trustDomain().trustDomain(), ca.datacenter(), service);
      QueryResult<dev.connect.core.IssuedCertificate> signed =
          ca.signLeaf(LeafRequests.csrPem(id, keys), options).join();
      held = new IssuedLeaf(signed.value(), keys.getPrivate());
      heldIndex = signed.index();
      return CompletableFuture.completedFuture(new QueryResult<>(held, signed.index()));
    }
  }

  @BeforeEach
  void open() throws Exception {
    server = EmbeddedServer.builder().dataDirectory(dir).clock(time).scheduler(scheduler).open();
    backend = new CachingLeafServer(server, time, SERVER_STALENESS);
    cache = ConnectCache.builder(backend).scheduler(scheduler).ticker(time).clock(time)
        .random(new Random(3)).caChangeJitter(Duration.ofSeconds(1)).build();
  }

  @AfterEach
  void close() {
    try {
      cache.close();
      server.close();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void leafChainsToTheNewRootWithinAMinuteOfARotationAlthoughTheServerServesItsOldLeaf() {
    CacheRequest req = CacheRequest.anonymous();
    Leaf first = cache.leaf("web", req);
    long firstIndex = backend.heldIndex;
    scheduler.runDue();
    CaRoots rotated = server.rotateRoot(QueryOptions.defaults());

    // The stated bound: the server's staleness, plus the cache's jitter (1 s), plus one backoff
    // step of at most 24 s past it.
    scheduler.advance(SERVER_STALENESS.plusSeconds(30));

    Leaf now = cache.leaf("web", req);
    assertThat(now.certificate().serialNumber()).isNotEqualTo(first.certificate().serialNumber());
    assertThat(LeafEntry.signedBy(now.certificate().certificate(), rotated.active())).isTrue();
    // Each re-ask blocks on the index of the old leaf, as Consul's leaf endpoint wants to be
    // asked to wake when it re-issues; the first load did not block.
    assertThat(backend.issueOptions.get(0).isBlocking()).isFalse();
    assertThat(backend.issueOptions.subList(1, backend.issueOptions.size()))
        .allSatisfy(o -> assertThat(o.minIndex()).isEqualTo(firstIndex));
    // Asked with a backoff, not in a loop: a handful of requests in that minute.
    assertThat(backend.issueCalls.get()).isLessThanOrEqualTo(2 + LeafEntry.MAX_REISSUES);
  }

  @Test
  void aServerThatNeverReissuesIsAskedABoundedNumberOfTimesAndTheOldLeafIsStillServed() {
    backend.staleness = Duration.ofDays(365);
    CacheRequest req = CacheRequest.anonymous();
    Leaf first = cache.leaf("web", req);
    scheduler.runDue();
    server.rotateRoot(QueryOptions.defaults());

    scheduler.advance(Duration.ofHours(1));

    // The first load, the re-issue the rotation starts, then at most MAX_REISSUES more.
    assertThat(backend.issueCalls.get()).isEqualTo(2 + LeafEntry.MAX_REISSUES);
    assertThat(cache.leaf("web", req).certificate().serialNumber())
        .isEqualTo(first.certificate().serialNumber());
  }
}
