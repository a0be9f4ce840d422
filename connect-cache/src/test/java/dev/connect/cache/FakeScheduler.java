package dev.connect.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * A deterministic {@link ScheduledExecutorService} on {@link FakeTime}: nothing runs until the
 * test calls {@link #runDue()} or {@link #advance(Duration)}, and then tasks run on the test's
 * thread, in order of due time, with the time set to each task's due time as it runs.
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final FakeTime time;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long sequence;
  private boolean shutdown;

  public FakeScheduler(FakeTime time) {
    this.time = time;
  }

  /** Runs every task due now, including tasks they schedule for now. Returns how many ran. */
  public int runDue() {
    int ran = 0;
    for (Task<?> t; (t = pollDue(time.read())) != null; ran++) {
      t.run();
    }
    return ran;
  }

  /** Moves time forward by {@code d}, running each task when its due time is reached. */
  public void advance(Duration d) {
    long target = time.read() + d.toNanos();
    for (Task<?> t; (t = pollDue(target)) != null; ) {
      time.advanceTo(t.due);
      t.run();
    }
    time.advanceTo(target);
    runDue();
  }

  /** Returns the number of tasks waiting. */
  public synchronized int pending() {
    return queue.size();
  }

  private synchronized Task<?> pollDue(long limit) {
    Task<?> t = queue.peek();
    if (t == null || t.due > limit) {
      return null;
    }
    return queue.poll();
  }

  private synchronized <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    task.seq = sequence++;
    queue.add(task);
    return task;
  }

  private synchronized void remove(Task<?> task) {
    queue.remove(task);
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command), due(delay, unit), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, due(delay, unit), 0));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
      TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit),
        unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
      long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit),
        -unit.toNanos(delay)));
  }

  private long due(long delay, TimeUnit unit) {
    return time.read() + Math.max(0, unit.toNanos(delay));
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private final long period;
    long due;
    long seq;

    Task(Callable<V> callable, long due, long period) {
      super(callable);
      this.due = due;
      this.period = period;
    }

    @Override
    public void run() {
      if (period == 0) {
        super.run();
      } else if (runAndReset()) {
        due = period > 0 ? due + period : time.read() - period;
        try {
          enqueue(this);
        } catch (RejectedExecutionException e) {
          cancel(false);
        }
      }
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
      Task<?> o = (Task<?>) other;
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
