package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.IntentionAction;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Netty handshakes run continuously on their own thread while the test thread rotates the root
 * and lets leaves renew: contexts built once, zero failures, with either provider (with
 * OpenSSL, key material is cached per generation and older generations are evicted meanwhile).
 */
class NettyRotationUnderLoadTest extends NettyTestBase {
  private static final int MAX_HANDSHAKES = 20_000; // bound only

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void noHandshakeFailsWhileRootsRotateAndLeavesRenew(SslProvider provider) throws Exception {
    assumeAvailable(provider);
    ExecutorService clients = Executors.newSingleThreadExecutor();
    try {
      f.intention("web", "db", IntentionAction.ALLOW);
      SslContext db = dbServer(provider);
      SslContext web = webClient(provider);
      f.runDue();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Set<BigInteger> dbSerials = ConcurrentHashMap.newKeySet();
      Set<BigInteger> webSerials = ConcurrentHashMap.newKeySet();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger handshakes = new AtomicInteger();
      Semaphore progress = new Semaphore(0);
      try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, db, "db")) {
        Future<?> load = clients.submit(() -> {
          while (!done.get() && handshakes.get() < MAX_HANDSHAKES) {
            try {
              NettyPeers.Reply reply = NettyPeers.connect(group, web, server.port(), 2);
              dbSerials.add(reply.serial());
              Peers.Accepted accepted = server.next();
              if (accepted.ok()) {
                webSerials.add(accepted.serial());
              } else {
                failures.add(accepted.failure());
              }
            } catch (Exception | AssertionError e) {
              failures.add(e);
            }
            handshakes.incrementAndGet();
            progress.release();
          }
        });
        awaitMore(progress, 5, failures);
        f.server.rotateRoot(TlsFixture.ROOT);
        f.runDue(); // the roots query returns; re-issues are scheduled within 30 s
        awaitMore(progress, 5, failures);
        f.advance(Duration.ofSeconds(31)); // both leaves re-issued under the new root
        awaitMore(progress, 5, failures);
        // Renewals at 60-90 % of 72 h, in steps of 2 h (see RotationUnderLoadTest).
        for (int step = 0; step < 80; step++) {
          f.advance(Duration.ofHours(2));
          awaitMore(progress, 2, failures);
        }
        done.set(true);
        load.get(60, TimeUnit.SECONDS);
      }
      assertThat(failures).isEmpty();
      // The first leaf, its re-issue under the new root, and at least two renewals.
      assertThat(dbSerials).as("db leaf generations seen by the client").hasSizeGreaterThanOrEqualTo(4);
      assertThat(webSerials).as("web leaf generations seen by the server").hasSizeGreaterThanOrEqualTo(4);
    } finally {
      clients.shutdownNow();
    }
  }

  /** Waits until the load thread has done {@code n} more handshakes; the timeout guards hangs. */
  private static void awaitMore(Semaphore progress, int n, List<Throwable> failures)
      throws InterruptedException {
    progress.drainPermits();
    if (!progress.tryAcquire(n, 60, TimeUnit.SECONDS)) {
      throw new AssertionError("handshakes stalled; failures so far: " + failures);
    }
  }
}
