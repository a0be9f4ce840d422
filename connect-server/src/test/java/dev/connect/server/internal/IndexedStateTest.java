package dev.connect.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocking queries against a fake scheduler: every timeout and completion runs when told to. */
class IndexedStateTest {
  private static final Duration WAIT = Duration.ofMinutes(5);

  private final FakeScheduler scheduler =
      FakeScheduler.on(FakeTime.at(Instant.parse("2030-01-01T00:00:00Z")));
  private final IndexedState state =
      new IndexedState(7, Set.of("roots", "leaf", "config"), scheduler);

  /** A task that throws is a bug in the code under test, which its future alone would hide. */
  @AfterEach
  void noTaskFailed() {
    assertThat(scheduler.failures()).isEmpty();
  }

  @Test
  void startsEveryTableAtTheRestoredIndex() {
    assertThat(state.currentIndex()).isEqualTo(7);
    assertThat(state.index("roots")).isEqualTo(7);
    assertThat(state.index("config")).isEqualTo(7);
    assertThat(new IndexedState(1, List.of("roots"), scheduler).index("roots")).isEqualTo(1);
  }

  @Test
  void rejectsAnIndexBelowOneAndNoTables() {
    assertThatThrownBy(() -> new IndexedState(0, Set.of("roots"), scheduler))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> new IndexedState(1, Set.of(), scheduler))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bumpRaisesTheGlobalIndexOnceAndStampsEachNamedTable() {
    long index = state.bump("roots", "leaf");

    assertThat(index).isEqualTo(8);
    assertThat(state.currentIndex()).isEqualTo(8);
    assertThat(state.index("roots")).isEqualTo(8);
    assertThat(state.index("leaf")).isEqualTo(8);
    assertThat(state.index("config")).isEqualTo(7);

    assertThat(state.bump("config")).isEqualTo(9);
    assertThat(state.index("roots")).isEqualTo(8);
  }

  @Test
  void unknownTableIsRejectedAndChangesNothing() {
    assertThatThrownBy(() -> state.bump("roots", "rots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"rots\"").hasMessageContaining("roots");
    assertThatThrownBy(() -> state.bump()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> state.index("nope")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> state.awaitAbove("nope", 7, WAIT))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(state.currentIndex()).isEqualTo(7);
    assertThat(state.index("roots")).isEqualTo(7);
  }

  @Test
  void minIndexZeroAnswersAtOnce() {
    assertThat(state.awaitAbove("roots", 0, WAIT)).isCompletedWithValue(7L);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void olderMinIndexAnswersAtOnce() {
    state.bump("roots");

    assertThat(state.awaitAbove("roots", 7, WAIT)).isCompletedWithValue(8L);
    assertThat(state.awaitAbove("roots", 1, WAIT)).isCompletedWithValue(8L);
    assertThat(state.waiterCount()).isZero();
  }

  @Test
  void zeroOrNegativeWaitAnswersAtOnceWithTheUnchangedIndex() {
    assertThat(state.awaitAbove("roots", 7, Duration.ZERO)).isCompletedWithValue(7L);
    assertThat(state.awaitAbove("roots", 7, Duration.ofSeconds(-1))).isCompletedWithValue(7L);
    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void negativeMinIndexIsRejected() {
    assertThatThrownBy(() -> state.awaitAbove("roots", -1, WAIT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void waitsUntilItsTableChanges() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);
    assertThat(roots).isNotDone();
    assertThat(state.waiterCount()).isEqualTo(1);

    state.bump("leaf");
    scheduler.runDue();
    assertThat(roots).isNotDone();

    state.bump("roots", "config");
    scheduler.runDue();
    assertThat(roots).isCompletedWithValue(9L);
    assertThat(state.waiterCount()).isZero();
  }

  @Test
  void bumpCompletesWaitersOnTheSchedulerNotOnTheWritersThread() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    roots.thenRun(() -> ranOn.set(Thread.currentThread()));

    state.bump("roots");

    assertThat(roots).as("completed by bump itself").isNotDone();
    assertThat(scheduler.runDue()).as("one task for the whole batch").isEqualTo(1);
    assertThat(roots).isCompletedWithValue(8L);
    assertThat(ranOn.get()).isSameAs(Thread.currentThread()); // the thread running the scheduler
  }

  @Test
  void oneBumpCompletesAllItsWaitersInOneTask() {
    List<CompletableFuture<Long>> waiters = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      waiters.add(state.awaitAbove(i % 2 == 0 ? "roots" : "leaf", 7, WAIT));
    }

    state.bump("roots", "leaf");

    assertThat(scheduler.runDue()).isEqualTo(1);
    assertThat(waiters).allSatisfy(w -> assertThat(w).isCompletedWithValue(8L));
  }

  @Test
  void dependentStageMayBumpAgain() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);
    CompletableFuture<Long> next = roots.thenApply(index -> state.bump("config"));
    CompletableFuture<Long> config = state.awaitAbove("config", 7, WAIT);

    state.bump("roots");
    scheduler.runDue();

    assertThat(next).isCompletedWithValue(9L);
    assertThat(config).isCompletedWithValue(9L);
  }

  @Test
  void timesOutWithTheUnchangedIndex() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, Duration.ofSeconds(30));
    state.bump("leaf");

    scheduler.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(roots).isNotDone();
    scheduler.advance(Duration.ofNanos(1));

    assertThat(roots).isCompletedWithValue(7L);
    assertThat(state.waiterCount()).isZero();
  }

  @Test
  void waitIsCappedAtTenMinutes() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, Duration.ofHours(1));

    assertThat(scheduler.queued()).singleElement()
        .satisfies(t -> assertThat(t.getDelay(TimeUnit.SECONDS)).isEqualTo(600));
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(roots).isCompletedWithValue(7L);
  }

  @Test
  void earlyAnswerCancelsTheTimeout() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);
    ScheduledFuture<?> timeout = scheduler.queued().get(0);

    state.bump("roots");
    scheduler.runDue();

    assertThat(roots).isCompletedWithValue(8L);
    assertThat(timeout.isCancelled()).isTrue();
    assertThat(scheduler.pending()).isZero();
    scheduler.advance(WAIT);
    assertThat(roots).isCompletedWithValue(8L);
  }

  @Test
  void minIndexAheadOfTheTableWaitsUntilTheTablePassesIt() {
    CompletableFuture<Long> ahead = state.awaitAbove("roots", 9, WAIT);

    state.bump("roots"); // 8
    state.bump("roots"); // 9
    scheduler.runDue();
    assertThat(ahead).as("index 9 does not exceed 9").isNotDone();

    state.bump("roots"); // 10
    scheduler.runDue();
    assertThat(ahead).isCompletedWithValue(10L);
  }

  @Test
  void minIndexAheadOfTheTableTimesOutWithTheSmallerIndex() {
    CompletableFuture<Long> ahead = state.awaitAbove("roots", 1_000, WAIT);

    scheduler.advance(WAIT);

    assertThat(ahead).as("the client resets on seeing an index go back")
        .isCompletedWithValue(7L);
  }

  @Test
  void thousandsOfTimedOutWaitsLeaveNothingBehind() {
    List<CompletableFuture<Long>> waiters = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      waiters.add(state.awaitAbove(List.of("roots", "leaf", "config").get(i % 3), 7,
          Duration.ofMillis(1 + i % 1_000)));
    }
    assertThat(state.waiterCount()).isEqualTo(5_000);

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(waiters).allSatisfy(w -> assertThat(w).isCompletedWithValue(7L));
    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void thousandsOfAnsweredWaitsLeaveNothingBehind() {
    List<CompletableFuture<Long>> waiters = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      waiters.add(state.awaitAbove("roots", 7, WAIT));
    }

    state.bump("roots");
    scheduler.runDue();

    assertThat(waiters).allSatisfy(w -> assertThat(w).isCompletedWithValue(8L));
    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.pending()).as("every timeout cancelled").isZero();
  }

  @Test
  void cancellingTheFutureReleasesTheWaiterAndItsTimeout() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);

    roots.cancel(false);

    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.pending()).isZero();
    state.bump("roots");
    assertThat(scheduler.runDue()).as("nobody left to wake").isZero();
  }

  @Test
  void neverCompletesExceptionally() {
    CompletableFuture<Long> timedOut = state.awaitAbove("roots", 7, Duration.ofSeconds(1));
    CompletableFuture<Long> answered = state.awaitAbove("leaf", 7, WAIT);
    CompletableFuture<Long> closed = state.awaitAbove("config", 7, WAIT);

    scheduler.advance(Duration.ofSeconds(1));
    state.bump("leaf");
    scheduler.runDue();
    state.close();

    assertThat(List.of(timedOut, answered, closed))
        .allSatisfy(f -> assertThat(f).isDone().isNotCompletedExceptionally());
  }

  @Test
  void closeCompletesEveryWaiterOnTheCallingThreadAndRefusesNewOnes() {
    state.bump("roots"); // 8
    CompletableFuture<Long> roots = state.awaitAbove("roots", 8, WAIT);
    CompletableFuture<Long> leaf = state.awaitAbove("leaf", 7, WAIT);

    state.close();

    assertThat(roots).isCompletedWithValue(8L);
    assertThat(leaf).isCompletedWithValue(7L);
    assertThat(state.waiterCount()).isZero();
    assertThat(scheduler.pending()).as("timeouts cancelled").isZero();
    assertThatThrownBy(() -> state.awaitAbove("roots", 8, WAIT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> state.awaitAbove("roots", 0, WAIT))
        .isInstanceOf(IllegalStateException.class);
    state.close();
  }

  @Test
  void bumpStillAdvancesAfterClose() {
    state.close();

    assertThat(state.bump("roots")).isEqualTo(8);
    assertThat(state.index("roots")).isEqualTo(8);
  }

  @Test
  void schedulerShutDownBeforeCloseRefusesWaitsButStrandsNobody() {
    CompletableFuture<Long> roots = state.awaitAbove("roots", 7, WAIT);
    scheduler.shutdown();

    assertThatThrownBy(() -> state.awaitAbove("leaf", 7, WAIT))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
    assertThat(state.waiterCount()).isEqualTo(1);

    state.bump("roots");

    assertThat(roots).as("completed on the writer's thread, as a last resort")
        .isCompletedWithValue(8L);
    assertThat(state.waiterCount()).isZero();
  }

  @Test
  void toStringSummarises() {
    state.awaitAbove("roots", 7, WAIT);

    assertThat(state).hasToString("IndexedState[index=7, tables=[config, leaf, roots], waiters=1]");
  }
}
