package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers on other threads, while the test thread drives refreshes, renewals and re-issues,
 * never see a torn value: a leaf's key always matches its certificate, an intention match is
 * always a whole set the server published, and never goes back.
 */
class ConcurrentReadersTest {
  @TempDir
  Path dir;

  @Test
  void readersNeverSeeATornValue() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.leaf("web", req);
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue();

      AtomicBoolean stop = new AtomicBoolean();
      Queue<String> problems = new ConcurrentLinkedQueue<>();
      CountDownLatch started = new CountDownLatch(4);
      AtomicInteger reads = new AtomicInteger();
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        Thread t = new Thread(() -> {
          started.countDown();
          int lastSize = -1;
          String lastSerial = "";
          while (!stop.get()) {
            try {
              List<Intention> all = f.cache.intentionMatch("db", req).all();
              // Written in order s0, s1, ...: a published set is always a prefix of that order.
              java.util.Set<String> names = new java.util.HashSet<>();
              all.forEach(x -> names.add(x.source().name()));
              for (int i = 0; i < all.size(); i++) {
                if (!names.contains("s" + i)) {
                  problems.add("not a published set: " + names);
                  break;
                }
              }
              if (all.size() < lastSize) {
                problems.add("went back from " + lastSize + " to " + all.size());
              }
              lastSize = all.size();
              Leaf leaf = f.cache.leaf("web", req);
              if (!leaf.certificate().serialNumberHex().equals(lastSerial)) {
                lastSerial = leaf.certificate().serialNumberHex();
                if (!LeafRenewalTest.keyMatches(leaf)) {
                  problems.add("key does not match certificate " + lastSerial);
                }
              }
              CaRoots roots = f.cache.roots(req);
              if (roots.active() == null) {
                problems.add("no active root");
              }
              reads.incrementAndGet();
            } catch (Exception | AssertionError e) {
              problems.add(e.toString());
            }
          }
        }, "reader-" + r);
        t.setDaemon(true);
        readers.add(t);
        t.start();
      }
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      for (int i = 0; i < 40; i++) {
        f.allow("s" + i, "db");
        f.scheduler.runDue();
        if (i % 8 == 7) {
          f.server.rotateRoot(Fixture.ROOT);
          f.advance(Duration.ofSeconds(30)); // leaves re-issued under the readers
        }
      }
      int readsBefore = reads.get();
      f.allow("s40", "db");
      f.scheduler.runDue();
      // Let every reader finish at least one more full read of the final state.
      int target = readsBefore + 4;
      long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // a hang guard only
      while (reads.get() < target && problems.isEmpty() && System.nanoTime() < guard) {
        Thread.onSpinWait();
      }
      assertThat(reads.get()).as("readers made progress").isGreaterThanOrEqualTo(target);
      stop.set(true);
      for (Thread t : readers) {
        t.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertThat(problems).isEmpty();
      assertThat(f.cache.intentionMatch("db", req).size()).isEqualTo(41);
      assertThat(f.cache.stats().refreshSuccesses()).isGreaterThanOrEqualTo(41);
    }
  }
}
