package dev.connect.testkit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic {@link ScheduledExecutorService} on a {@link FakeTime}: it starts no thread and
 * runs nothing by itself. A task runs on the test's own thread when the test calls {@link
 * #runDue()} or {@link #advance(Duration)} and its due time has come; tasks run in order of due
 * time (then of submission), and while one runs the time reads exactly its due time.
 *
 * <pre>{@code
 * FakeTime time = FakeTime.create();
 * FakeScheduler scheduler = FakeScheduler.on(time);
 * Cache<String, String> cache = Caffeine.newBuilder().ticker(time.ticker())
 *     .scheduler(Scheduler.forScheduledExecutorService(scheduler)).executor(Runnable::run)
 *     .expireAfterWrite(Duration.ofMinutes(5)).removalListener(listener).build();
 * scheduler.advance(Duration.ofMinutes(5));   // the listener has run, on this thread
 * }</pre>
 *
 * <p>It behaves as a {@link java.util.concurrent.ScheduledThreadPoolExecutor} with remove-on-cancel
 * set: {@link #execute} is a task due now; a task that throws completes its future exceptionally
 * (and a periodic one stops repeating), and the exception is also kept in {@link #failures()},
 * since nothing else would show it for {@code execute}; after {@link #shutdown()} new tasks are
 * refused, one-shot tasks already queued still run when due, periodic ones are dropped. Fixed-rate
 * tasks run once per period that passes, never skipping one.
 *
 * <p>Thread-safe: any thread may schedule, cancel or drive it; tasks run on the driving thread,
 * outside any lock. Moving the {@link FakeTime} directly (not through this scheduler) runs
 * nothing until the next {@link #runDue()}. {@link #awaitTermination} never waits: fake time
 * passes only when the test says so.
 */
public final class FakeScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {
  /** A run of more tasks than this at one instant is a busy loop in the code under test. */
  static final int MAX_TASKS_AT_ONE_INSTANT = 100_000;

  private final FakeTime time;
  private final Object lock = new Object();
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final List<Throwable> failures = new ArrayList<>();
  private long sequence;
  private boolean shutdown;

  private FakeScheduler(FakeTime time) {
    this.time = time;
  }

  /**
   * Returns a scheduler whose tasks fall due on {@code time}.
   *
   * @param time the time tasks are scheduled against and that {@link #advance} moves
   * @return the scheduler, with nothing queued
   */
  public static FakeScheduler on(FakeTime time) {
    return new FakeScheduler(requireNonNull(time, "time"));
  }

  /** Returns the time this scheduler reads and moves. */
  public FakeTime time() {
    return time;
  }

  /**
   * Runs every task due now, including tasks they schedule for now, on this thread.
   *
   * @return how many tasks ran
   * @throws IllegalStateException if tasks keep scheduling tasks due now (more than 100,000 run
   *     at one instant), which would make a real executor spin
   */
  public int runDue() {
    return runUntil(time.read());
  }

  /**
   * Moves time forward by {@code duration}, running each task when time reaches its due time,
   * with the time set to that due time while it runs; then leaves time at the end.
   *
   * @param duration how far; zero only runs what is due now
   * @return how many tasks ran
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException as {@link #runDue()}
   */
  public int advance(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time does not go back: advance(" + duration + ")");
    }
    return runUntil(time.read() + duration.toNanos());
  }

  /**
   * Moves time forward to {@code instant}, running tasks on the way as {@link #advance} does.
   *
   * @param instant where time should stand; an instant already passed only runs what is due
   * @return how many tasks ran
   */
  public int advanceTo(Instant instant) {
    requireNonNull(instant, "instant");
    long target = Duration.between(time.instant(), instant).toNanos();
    return runUntil(time.read() + Math.max(0, target));
  }

  /** Returns how many tasks are queued: not yet run, or periodic, and not cancelled. */
  public int pending() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * Returns the queued tasks, earliest due first: not yet run, or periodic, and not cancelled.
   * A test reads a task's delay from it, or keeps it to see it cancelled later (a cancelled
   * task leaves the queue).
   *
   * @return a snapshot; it does not change as tasks run
   */
  public List<ScheduledFuture<?>> queued() {
    synchronized (lock) {
      List<Task<?>> tasks = new ArrayList<>(queue);
      tasks.sort(null);
      return List.copyOf(tasks);
    }
  }

  /**
   * Returns how long until the earliest queued task is due: zero if it is due already, empty if
   * nothing is queued.
   */
  public Optional<Duration> nextDue() {
    synchronized (lock) {
      Task<?> first = queue.peek();
      return first == null ? Optional.empty()
          : Optional.of(Duration.ofNanos(Math.max(0, first.due - time.read())));
    }
  }

  /**
   * Returns what tasks threw so far, oldest first. A test that expects no failure asserts this
   * is empty: an exception in a task given to {@link #execute} is otherwise lost, as it is on a
   * real executor.
   */
  public List<Throwable> failures() {
    synchronized (lock) {
      return List.copyOf(failures);
    }
  }

  private int runUntil(long target) {
    int ran = 0;
    int atThisInstant = 0;
    long instant = Long.MIN_VALUE;
    for (Task<?> task; (task = pollDue(target)) != null; ) {
      time.advanceToTicks(task.due);
      long now = time.read();
      if (now != instant) {
        instant = now;
        atThisInstant = 0;
      }
      if (++atThisInstant > MAX_TASKS_AT_ONE_INSTANT) {
        throw new IllegalStateException("more than " + MAX_TASKS_AT_ONE_INSTANT
            + " tasks ran at " + time.instant() + ": the code under test keeps scheduling work"
            + " due now (a busy loop)");
      }
      task.run();
      ran++;
    }
    time.advanceToTicks(target);
    return ran;
  }

  private Task<?> pollDue(long limit) {
    synchronized (lock) {
      Task<?> first = queue.peek();
      if (first == null || first.due > limit) {
        return null;
      }
      return queue.poll();
    }
  }

  private <V> Task<V> enqueue(Task<V> task) {
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("FakeScheduler is shut down; refused " + task);
      }
      task.sequence = sequence++;
      queue.add(task);
      return task;
    }
  }

  private boolean requeue(Task<?> task) {
    synchronized (lock) {
      if (shutdown) {
        return false;
      }
      task.sequence = sequence++;
      queue.add(task);
      return true;
    }
  }

  private void recordFailure(Throwable t) {
    synchronized (lock) {
      failures.add(t);
    }
  }

  private void remove(Task<?> task) {
    synchronized (lock) {
      queue.remove(task);
    }
  }

  /** Schedules {@code command} due now; it runs at the next {@link #runDue()} or advance. */
  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(requireNonNull(command, "command")),
        due(delay, unit), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(requireNonNull(callable, "callable"), due(delay, unit), 0));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
      TimeUnit unit) {
    requireNonNull(command, "command");
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive: " + period + " " + unit);
    }
    return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit),
        unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
      long delay, TimeUnit unit) {
    requireNonNull(command, "command");
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be positive: " + delay + " " + unit);
    }
    return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit),
        -unit.toNanos(delay)));
  }

  private long due(long delay, TimeUnit unit) {
    requireNonNull(unit, "unit");
    return time.read() + Math.max(0, unit.toNanos(delay));
  }

  /** Refuses new tasks; queued one-shot tasks still run when due, periodic ones are dropped. */
  @Override
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
      queue.removeIf(t -> t.period != 0);
    }
  }

  /** Refuses new tasks and returns every queued one, unrun. */
  @Override
  public List<Runnable> shutdownNow() {
    synchronized (lock) {
      shutdown = true;
      List<Runnable> left = new ArrayList<>(queue);
      queue.clear();
      return left;
    }
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  /** Returns true once shut down with nothing queued. */
  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return shutdown && queue.isEmpty();
    }
  }

  /** Returns {@link #isTerminated()} at once: fake time does not pass while waiting. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  /** Returns the time and the number of queued tasks. */
  @Override
  public String toString() {
    return "FakeScheduler[" + time.instant() + ", pending=" + pending() + "]";
  }

  /** A queued task: positive period for fixed rate, negative for fixed delay, 0 for once. */
  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private final long period;
    private long due;
    private long sequence;

    Task(Callable<V> callable, long due, long period) {
      super(callable);
      this.due = due;
      this.period = period;
    }

    @Override
    public void run() {
      if (period == 0) {
        super.run();
        return;
      }
      if (runAndReset()) {
        due = period > 0 ? due + period : time.read() - period;
        if (!requeue(this)) {
          cancel(false);
        }
      }
    }

    @Override
    protected void setException(Throwable t) {
      recordFailure(t);
      super.setException(t);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      remove(this);
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - time.read(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (other instanceof Task<?> o) {
        int c = Long.compare(due, o.due);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
      }
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public String toString() {
      return "task due at " + time.instant().plusNanos(due - time.read());
    }
  }
}
