package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that runs nothing by itself: it records tasks against a fake clock, and the test
 * runs those that are due, on its own thread, with {@link #runDue()} or {@link #advance}.
 *
 * <p>{@link #execute} is a task due now. Periodic scheduling is unsupported, as nothing here uses
 * it. Not thread-safe beyond what single-threaded tests need.
 */
final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>(
      Comparator.comparingLong((Task<?> t) -> t.dueNanos).thenComparingLong(t -> t.sequence));
  private final List<Task<?>> all = new ArrayList<>();
  private long nowNanos;
  private long sequence;
  private boolean shutdown;

  /** Runs every task due at the current fake time, including those they schedule for now. */
  int runDue() {
    int ran = 0;
    for (Task<?> task = queue.peek(); task != null && task.dueNanos <= nowNanos;
        task = queue.peek()) {
      queue.poll();
      if (!task.isCancelled()) {
        task.run();
        ran++;
        rethrowFailure(task);
      }
    }
    return ran;
  }

  /**
   * A task that throws is a bug in the code under test, which FutureTask would hide. A task that
   * cancelled its own future while running is not: a real executor allows that too.
   */
  private static void rethrowFailure(Task<?> task) {
    try {
      task.get();
    } catch (ExecutionException e) {
      throw new AssertionError("scheduled task failed", e.getCause());
    } catch (CancellationException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Moves the fake clock forward, running due tasks in order at their due time. */
  int advance(Duration duration) {
    long target = nowNanos + duration.toNanos();
    int ran = runDue();
    for (Task<?> task = queue.peek(); task != null && task.dueNanos <= target;
        task = queue.peek()) {
      nowNanos = task.dueNanos;
      ran += runDue();
    }
    nowNanos = target;
    return ran + runDue();
  }

  /** Returns the tasks neither run nor cancelled. */
  int pendingCount() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  /** Returns every task ever scheduled, in order, run or not. */
  List<ScheduledFuture<?>> scheduled() {
    return List.copyOf(all);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(Executors.callable(requireNonNull(command, "command")), delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(requireNonNull(callable, "callable"), delay, unit);
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable c, long i, long p, TimeUnit u) {
    throw new UnsupportedOperationException("periodic tasks");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable c, long i, long d, TimeUnit u) {
    throw new UnsupportedOperationException("periodic tasks");
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    return pending;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private <V> Task<V> add(Callable<V> callable, long delay, TimeUnit unit) {
    if (shutdown) {
      throw new RejectedExecutionException("FakeScheduler is shut down");
    }
    Task<V> task = new Task<>(callable, nowNanos + Math.max(0, unit.toNanos(delay)), sequence++);
    queue.add(task);
    all.add(task);
    return task;
  }

  /** A recorded task; cancelling it leaves it queued, as a default ScheduledThreadPoolExecutor. */
  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final long dueNanos;
    final long sequence;

    Task(Callable<V> callable, long dueNanos, long sequence) {
      super(callable);
      this.dueNanos = dueNanos;
      this.sequence = sequence;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
