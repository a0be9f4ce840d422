package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The schedulers this library starts when its caller gives none: daemon threads named after
 * what runs on them ({@code connect-cache-1}, {@code connect-server-1}), so a thread dump says
 * what is busy, and never {@code ForkJoinPool.commonPool()}.
 *
 * <p>Whoever makes one owns it and shuts it down on {@code close()}. Cancelled tasks leave the
 * queue at once, so a cache that cancels a renewal per evicted entry holds no garbage.
 */
public final class Schedulers {
  private Schedulers() {}

  /**
   * Returns a new scheduler on {@code threads} daemon threads named {@code name-1},
   * {@code name-2}, ....
   *
   * @param name the threads' name prefix, such as {@code connect-cache}
   * @param threads how many core threads, at least 1
   * @return the scheduler; the caller shuts it down
   * @throws IllegalArgumentException if {@code name} is empty or {@code threads} is below 1
   */
  public static ScheduledExecutorService newDaemonScheduler(String name, int threads) {
    requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(threads,
        daemonThreads(name));
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /**
   * Returns a factory of daemon threads named {@code name-1}, {@code name-2}, ..., for pools
   * other than schedulers.
   *
   * @param name the threads' name prefix, such as {@code connect-consul}
   * @return the factory
   * @throws IllegalArgumentException if {@code name} is empty
   */
  public static ThreadFactory daemonThreads(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
