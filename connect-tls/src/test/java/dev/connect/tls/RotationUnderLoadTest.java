package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import java.math.BigInteger;
import java.nio.file.Path;
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
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handshakes run continuously, on their own thread, while the test thread rotates the root twice
 * and lets leaves be re-issued and renewed: contexts built once, zero failed handshakes.
 */
class RotationUnderLoadTest {
  private static final int MAX_HANDSHAKES = 50_000; // bound only

  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void noHandshakeFailsWhileRootsRotateAndLeavesRenew(TlsStack stack) throws Exception {
    try (TlsFixture f = new TlsFixture(dir)) {
      f.intention("web", "db", IntentionAction.ALLOW);
      SSLContext db = ConnectTls.forServer(f.identity("db"))
          .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).clock(f.time).sslContext();
      SSLContext web = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack).clock(f.time)
          .sslContext();
      f.runDue();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Set<BigInteger> serverSerials = ConcurrentHashMap.newKeySet();
      Set<BigInteger> clientSerials = ConcurrentHashMap.newKeySet();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger handshakes = new AtomicInteger();
      Semaphore progress = new Semaphore(0);
      ExecutorService clients = Executors.newSingleThreadExecutor();
      try (Peers.GreetingServer server = new Peers.GreetingServer(db, "db")) {
        Future<?> load = clients.submit(() -> {
          while (!done.get() && handshakes.get() < MAX_HANDSHAKES) {
            try {
              Peers.Reply reply = Peers.connect(web, server.port());
              serverSerials.add(reply.serial());
              Peers.Accepted accepted = server.next();
              if (!accepted.ok()) {
                failures.add(accepted.failure());
              } else {
                clientSerials.add(accepted.serial());
              }
            } catch (Exception | AssertionError e) {
              failures.add(e);
            }
            handshakes.incrementAndGet();
            progress.release();
          }
        });
        for (int round = 0; round < 2; round++) {
          awaitMore(progress, 5, failures);
          f.server.rotateRoot(TlsFixture.ROOT);
          f.runDue(); // the roots query returns; re-issues are scheduled within 30 s
          awaitMore(progress, 5, failures);
          f.advance(Duration.ofSeconds(31)); // both leaves re-issued under the new root
          awaitMore(progress, 5, failures);
          // Renewals at 60-90 % of 72 h. Steps of 2 h: a handshake in flight while time moves
          // sees at most one step, and a leaf has at least 7 h left when it is renewed.
          for (int step = 0; step < 40; step++) {
            f.advance(Duration.ofHours(2));
            awaitMore(progress, 2, failures);
          }
        }
        done.set(true);
        load.get(60, TimeUnit.SECONDS);
      } finally {
        clients.shutdownNow();
      }
      assertThat(failures).isEmpty();
      assertThat(handshakes.get()).isGreaterThanOrEqualTo(180);
      assertThat(serverSerials).as("db leaf generations seen by the client").hasSizeGreaterThan(4);
      assertThat(clientSerials).as("web leaf generations seen by the server").hasSizeGreaterThan(4);
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
