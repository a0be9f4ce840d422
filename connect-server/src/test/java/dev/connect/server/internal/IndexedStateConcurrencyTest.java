package dev.connect.server.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking queries under real threads: many clients and writers at once, with a real scheduler.
 * Every {@code get(10, SECONDS)} is a hang guard, never the thing asserted.
 */
class IndexedStateConcurrencyTest {
  private static final List<String> TABLES = List.of("roots", "leaf", "config");

  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "connect-index-test-1");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService threads = Executors.newCachedThreadPool();

  IndexedStateConcurrencyTest() {
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    scheduler.shutdownNow();
  }

  /** One blocking query a client made, and how it was made. */
  private record Query(String table, long minIndex, boolean longWait,
      CompletableFuture<Long> answer) {}

  @Test
  void everyWaiterIsAnsweredAboveItsIndexOrByItsTimeout() throws Exception {
    IndexedState state = new IndexedState(1, TABLES, scheduler);
    int clients = 8;
    int writers = 3;
    ConcurrentLinkedQueue<Query> queries = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(clients + writers);
    List<Future<?>> workers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      workers.add(threads.submit(() -> {
        start.await();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 2_000; i++) {
          String table = TABLES.get(random.nextInt(TABLES.size()));
          long seen = state.index(table);
          // Mostly the index just seen; sometimes one from the past or from the future.
          long minIndex = Math.max(1, seen + random.nextInt(-2, 4));
          boolean longWait = random.nextInt(4) != 0;
          Duration wait = longWait
              ? Duration.ofMinutes(10) : Duration.ofNanos(random.nextInt(1, 2_000_000));
          queries.add(
              new Query(table, minIndex, longWait, state.awaitAbove(table, minIndex, wait)));
        }
        return null;
      }));
    }
    for (int w = 0; w < writers; w++) {
      workers.add(threads.submit(() -> {
        start.await();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 3_000; i++) {
          state.bump(TABLES.get(random.nextInt(TABLES.size())));
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      worker.get(10, SECONDS);
    }
    // Every client's minimum index was at most the index seen plus 3: take every table past it.
    long ceiling = state.currentIndex() + 3;
    while (state.currentIndex() <= ceiling) {
      state.bump("roots", "leaf", "config");
    }

    for (Query query : queries) {
      long answer = query.answer().get(10, SECONDS);
      assertThat(answer).as("%s", query).isPositive().isLessThanOrEqualTo(state.currentIndex());
      if (query.longWait()) {
        assertThat(answer).as("%s", query).isGreaterThan(query.minIndex());
      }
    }
    assertThat(queries).hasSize(clients * 2_000);
    assertThat(state.waiterCount()).isZero();
    for (String table : TABLES) {
      assertThat(state.index(table)).isEqualTo(state.currentIndex());
    }
  }

  @Test
  void tableIndexesNeverGoBackwardsUnderConcurrentWriters() throws Exception {
    IndexedState state = new IndexedState(1, TABLES, scheduler);
    int writers = 4;
    CyclicBarrier start = new CyclicBarrier(writers + 1);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      workers.add(threads.submit(() -> {
        start.await();
        for (int i = 0; i < 5_000; i++) {
          state.bump("roots");
        }
        return null;
      }));
    }
    Future<Long> reader = threads.submit(() -> {
      start.await();
      long last = 0;
      long reads = 0;
      while (!workers.stream().allMatch(Future::isDone)) {
        long now = state.index("roots");
        assertThat(now).isGreaterThanOrEqualTo(last);
        last = now;
        reads++;
      }
      return reads;
    });
    for (Future<?> worker : workers) {
      worker.get(10, SECONDS);
    }
    reader.get(10, SECONDS);

    assertThat(state.currentIndex()).isEqualTo(1 + writers * 5_000L);
    assertThat(state.index("roots")).isEqualTo(state.currentIndex());
  }

  /**
   * A writer holding its own lock bumps, and a dependent stage of an answered query needs that
   * lock: completing the query on the writer's thread would make the writer wait on itself.
   */
  @Test
  void dependentStageNeedingTheWritersLockDoesNotDeadlock() throws Exception {
    IndexedState state = new IndexedState(1, TABLES, scheduler);
    ReentrantLock storeLock = new ReentrantLock();
    CountDownLatch writerDone = new CountDownLatch(1);
    AtomicReference<String> ranOn = new AtomicReference<>();
    CompletableFuture<Long> roots = state.awaitAbove("roots", 1, Duration.ofMinutes(10));
    CompletableFuture<Boolean> dependent = roots.thenApply(index -> {
      ranOn.set(Thread.currentThread().getName());
      try {
        // Waits for the writer to finish its critical section; inline, it never would.
        return writerDone.await(10, SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });

    Future<?> writer = threads.submit(() -> {
      storeLock.lock();
      try {
        state.bump("roots");
      } finally {
        storeLock.unlock();
      }
      writerDone.countDown();
    });
    writer.get(10, SECONDS);

    assertThat(dependent.get(10, SECONDS)).isTrue();
    assertThat(ranOn.get()).isEqualTo("connect-index-test-1");
  }

  @Test
  void closeAnswersEveryoneWhileClientsAreStillArriving() throws Exception {
    IndexedState state = new IndexedState(5, TABLES, scheduler);
    ConcurrentLinkedQueue<CompletableFuture<Long>> answers = new ConcurrentLinkedQueue<>();
    CountDownLatch someWaiting = new CountDownLatch(100);
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      clients.add(threads.submit(() -> {
        while (true) {
          try {
            answers.add(state.awaitAbove("leaf", 5, Duration.ofMinutes(10)));
          } catch (IllegalStateException closed) {
            return null;
          }
          someWaiting.countDown();
        }
      }));
    }
    assertThat(someWaiting.await(10, SECONDS)).isTrue();

    state.close();
    for (Future<?> client : clients) {
      client.get(10, SECONDS);
    }

    for (CompletableFuture<Long> answer : answers) {
      assertThat(answer.get(10, SECONDS)).isEqualTo(5L);
    }
    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.getQueue()).as("timeouts cancelled and removed").isEmpty();
  }
}
