package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.EntryStatus;
import dev.connect.cache.Leaf;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.peers.ConsulCluster;
import dev.connect.peers.ConsulServer;
import dev.connect.testkit.EchoServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an agent over {@link ConsulBackend} talking to a follower of a three-server Consul
 * cluster. The leader is killed while {@code web} handshakes with {@code db} continuously and
 * both leaves are due for renewal: no handshake fails, and both renewals succeed.
 *
 * <p>Consul's shortest leaf TTL is an hour, so renewal is driven by the agent's injected clock:
 * {@link FakeTime} is moved 65 hours ahead (past the renewal point, between 60 % and 90 % of
 * Consul's 72-hour leaves, and before they expire), and each retry the cache schedules after a
 * failed renewal is run by moving the fake time to it ({@link EntryStatus#nextAttempt()}). Sharp
 * edge, found here: the Consul agent answers {@code /v1/agent/connect/ca/leaf} from its own leaf
 * cache, which renews in real time, so a renewal our clock makes due returns the same
 * certificate until Consul's own renewal point; the renewal asserted is the cache's successful
 * fetch, not a new serial.
 */
class LeaderKilledWhileHandshakesRunTest {
  /** Hang guard for the renewal after the election: never asserted. */
  private static final Duration RENEWAL_GUARD = Duration.ofSeconds(120);

  @Test
  void noHandshakeFailsAndTheLeavesRenewAfterTheElection() throws Exception {
    FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    FakeScheduler scheduler = FakeScheduler.on(time);
    try (ConsulCluster cluster = ConsulCluster.start()) {
      ConsulServer leader = cluster.leader();
      ConsulServer follower = cluster.servers().stream().filter(s -> s != leader).findFirst()
          .orElseThrow();
      try (ConsulBackend backend = ConsulBackend.builder().environment(Map.of())
              .address(follower.httpAddress().toString()).build();
          ConnectAgent agent = ConnectAgent.builder().clock(time).scheduler(scheduler)
              .backend(backend).defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED)
              .build()) {
        ConnectService db = agent.service("db");
        ConnectService web = agent.service("web");
        BlockingQueue<String> renewed = new LinkedBlockingQueue<>();
        CacheListener.Registration listening = agent.cache().addListener(new CacheListener() {
          @Override
          public void leafChanged(String service, CacheRequest request, Leaf leaf) {
            renewed.add(service);
          }
        });
        try (listening; EchoServer echo = new EchoServer(db.serverSslContext());
            Handshakes handshakes = new Handshakes(web.clientSslContext("db"), echo)) {
          handshakes.awaitSome(10);

          cluster.killLeader();
          Instant due = time.advance(Duration.ofHours(65)); // both leaves are due for renewal
          scheduler.runDue();
          long deadline = System.nanoTime() + RENEWAL_GUARD.toNanos();
          while (!renewedSince(agent, "db", due) || !renewedSince(agent, "web", due)) {
            if (System.nanoTime() > deadline) {
              throw new AssertionError("the leaves did not renew within " + RENEWAL_GUARD
                  + "; db: " + agent.cache().leafStatus("db", CacheRequest.anonymous())
                  + ", web: " + agent.cache().leafStatus("web", CacheRequest.anonymous()));
            }
            // Run the retries the cache scheduled after failed renewals, else wait for a fetch.
            Optional<Instant> next = nextAttempt(agent, "db").or(() -> nextAttempt(agent, "web"));
            if (next.isPresent() && next.get().isAfter(time.instant())) {
              scheduler.advanceTo(next.get());
            }
            renewed.poll(200, TimeUnit.MILLISECONDS);
          }
          ConsulServer newLeader = cluster.leader();
          assertThat(newLeader).isNotSameAs(leader);
          handshakes.awaitSome(10);
          handshakes.stop();
          assertThat(handshakes.failures()).as("failed handshakes, first: %s",
              handshakes.firstFailure()).isZero();
          assertThat(handshakes.successes()).isGreaterThan(20);
          assertThat(db.leaf().certificate().service().trustDomain())
              .isEqualTo(agent.trustDomain());
        }
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** Whether the service's leaf was fetched successfully at or after {@code since}. */
  private static boolean renewedSince(ConnectAgent agent, String service, Instant since) {
    return agent.cache().leafStatus(service, CacheRequest.anonymous())
        .flatMap(EntryStatus::lastSuccessfulRefresh).filter(t -> !t.isBefore(since)).isPresent();
  }

  private static Optional<Instant> nextAttempt(ConnectAgent agent, String service) {
    return agent.cache().leafStatus(service, CacheRequest.anonymous())
        .flatMap(EntryStatus::nextAttempt);
  }

  /** {@code web} handshaking with {@code db} over and over on its own thread, until stopped. */
  static final class Handshakes implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Throwable> first = new AtomicReference<>();
    private final Thread thread;

    Handshakes(SSLContext client, EchoServer echo) {
      thread = new Thread(() -> {
        while (running.get()) {
          try {
            if (EchoServer.echo(client, echo.port(), "ping").equals("ping")) {
              successes.incrementAndGet();
            } else {
              failures.incrementAndGet();
            }
          } catch (Exception | AssertionError e) {
            failures.incrementAndGet();
            first.compareAndSet(null, e);
          }
        }
      }, "handshakes");
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits, bounded, until {@code n} more handshakes have succeeded or any has failed. */
    void awaitSome(int n) throws InterruptedException {
      int target = successes.get() + n;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (successes.get() < target && failures.get() == 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("fewer than " + n + " handshakes in 60 s");
        }
        thread.join(10);
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    int successes() {
      return successes.get();
    }

    int failures() {
      return failures.get();
    }

    Throwable firstFailure() {
      return first.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
