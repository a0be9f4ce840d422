package dev.connect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeSchedulerTest {
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  final FakeTime time = FakeTime.at(START);
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final List<String> log = Collections.synchronizedList(new ArrayList<>());

  Runnable record(String name) {
    return () -> log.add(name + "@" + Duration.between(START, time.instant()).toSeconds());
  }

  @Test
  void nothingRunsUntilDueAndEachTaskSeesItsDueTime() {
    scheduler.schedule(record("b"), 20, TimeUnit.SECONDS);
    scheduler.schedule(record("a"), 10, TimeUnit.SECONDS);
    scheduler.execute(record("now"));
    assertThat(log).isEmpty();
    assertThat(scheduler.pending()).isEqualTo(3);
    assertThat(scheduler.nextDue()).contains(Duration.ZERO);

    assertThat(scheduler.runDue()).isEqualTo(1);
    assertThat(scheduler.advance(Duration.ofSeconds(15))).isEqualTo(1);
    assertThat(log).containsExactly("now@0", "a@10");
    assertThat(time.instant()).isEqualTo(START.plusSeconds(15));
    assertThat(scheduler.nextDue()).contains(Duration.ofSeconds(5));

    scheduler.advanceTo(START.plusSeconds(60));
    assertThat(log).containsExactly("now@0", "a@10", "b@20");
    assertThat(time.instant()).isEqualTo(START.plusSeconds(60));
    assertThat(scheduler.nextDue()).isEmpty();
  }

  @Test
  void tasksDueAtTheSameTimeRunInSubmissionOrder() {
    for (String name : List.of("1", "2", "3")) {
      scheduler.schedule(record(name), 5, TimeUnit.SECONDS);
    }
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(log).containsExactly("1@5", "2@5", "3@5");
  }

  @Test
  void aTaskScheduledByATaskRunsInTheSameAdvanceWhenDue() {
    scheduler.schedule(() -> {
      log.add("outer");
      scheduler.schedule(record("inner"), 3, TimeUnit.SECONDS);
    }, 2, TimeUnit.SECONDS);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(log).containsExactly("outer", "inner@5");
  }

  @Test
  void fixedRateRunsOncePerPeriodAndFixedDelayAfterEachRun() {
    scheduler.scheduleAtFixedRate(record("rate"), 0, 3, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(record("delay"), 1, 4, TimeUnit.SECONDS);
    scheduler.advance(Duration.ofSeconds(10));
    // At 9 both are due: the one re-queued first (delay, after its run at 5) runs first.
    assertThat(log).containsExactly("rate@0", "delay@1", "rate@3", "delay@5", "rate@6",
        "delay@9", "rate@9");
    assertThat(scheduler.pending()).isEqualTo(2);
  }

  @Test
  void periodsMustBePositive() {
    assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(record("x"), 0, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("period must be positive: 0 SECONDS");
    assertThatThrownBy(() -> scheduler.scheduleWithFixedDelay(record("x"), 0, -1,
        TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be positive: -1 SECONDS");
  }

  @Test
  void aCancelledTaskNeverRunsAndLeavesTheQueue() {
    ScheduledFuture<?> f = scheduler.schedule(record("x"), 1, TimeUnit.SECONDS);
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1000);
    assertThat(f.cancel(false)).isTrue();
    assertThat(scheduler.pending()).isZero();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(log).isEmpty();
  }

  @Test
  void aFailingTaskFailsItsFutureAndIsRecorded() {
    IllegalStateException boom = new IllegalStateException("boom");
    ScheduledFuture<Object> f = scheduler.schedule(() -> {
      throw boom;
    }, 1, TimeUnit.SECONDS);
    scheduler.execute(() -> {
      throw new IllegalArgumentException("lost on a real executor");
    });
    scheduler.scheduleAtFixedRate(() -> {
      log.add("periodic");
      throw new IllegalStateException("periodic failure");
    }, 0, 1, TimeUnit.SECONDS);

    scheduler.advance(Duration.ofSeconds(5));

    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThat(scheduler.failures()).extracting(Throwable::getMessage).containsExactly(
        "lost on a real executor", "periodic failure", "boom");
    assertThat(log).containsExactly("periodic");
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void shutdownRefusesNewTasksRunsQueuedOnesAndDropsPeriodicOnes() throws Exception {
    scheduler.schedule(record("queued"), 1, TimeUnit.SECONDS);
    scheduler.scheduleAtFixedRate(record("periodic"), 5, 5, TimeUnit.SECONDS);
    scheduler.shutdown();
    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(scheduler.isTerminated()).isFalse();
    assertThatThrownBy(() -> scheduler.execute(record("late")))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageStartingWith("FakeScheduler is shut down; refused task due at");

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(log).containsExactly("queued@1");
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(scheduler.awaitTermination(1, TimeUnit.NANOSECONDS)).isTrue();
  }

  @Test
  void shutdownNowReturnsWhatWasQueued() {
    scheduler.schedule(record("a"), 1, TimeUnit.SECONDS);
    assertThat(scheduler.shutdownNow()).hasSize(1);
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(log).isEmpty();
  }

  @Test
  void aBusyLoopIsReportedInsteadOfHanging() {
    Runnable[] again = new Runnable[1];
    again[0] = () -> scheduler.execute(again[0]);
    scheduler.execute(again[0]);
    assertThatThrownBy(scheduler::runDue).isInstanceOf(IllegalStateException.class)
        .hasMessage("more than 100000 tasks ran at 2030-01-01T00:00:00Z: the code under test"
            + " keeps scheduling work due now (a busy loop)");
  }

  @Test
  void otherThreadsMayScheduleWhileTheTestDrives() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          for (int i = 0; i < 250; i++) {
            scheduler.schedule(() -> log.add("t" + thread), i, TimeUnit.MILLISECONDS);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(scheduler.advance(Duration.ofSeconds(1))).isEqualTo(1000);
    assertThat(log).hasSize(1000);
  }

  @Test
  void drivesCaffeineExpiryWithoutAnyRead() {
    List<String> removed = new ArrayList<>();
    Cache<String, String> cache = Caffeine.newBuilder().ticker(time.ticker())
        .scheduler(Scheduler.forScheduledExecutorService(scheduler)).executor(Runnable::run)
        .expireAfterWrite(Duration.ofMinutes(5))
        .removalListener((String k, String v, RemovalCause cause) -> removed.add(k + ":" + cause))
        .build();
    cache.put("web", "leaf");
    scheduler.advance(Duration.ofMinutes(4));
    assertThat(removed).isEmpty();
    scheduler.advance(Duration.ofMinutes(2));
    assertThat(removed).containsExactly("web:EXPIRED");
    assertThat(cache.estimatedSize()).isZero();
  }
}
