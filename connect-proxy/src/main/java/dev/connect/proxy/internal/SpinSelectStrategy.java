package dev.connect.proxy.internal;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.function.LongSupplier;

/**
 * A select strategy that polls the selector without blocking for up to a bounded time before
 * the event loop blocks in {@code epoll_wait}. A relay's next event usually comes within tens of
 * microseconds of the last (the other side's answer); catching it while still running saves the
 * wake-up of a sleeping thread, which on a busy machine means waiting for a core. Once the spin
 * ends without an event, the loop blocks as usual, so an idle proxy costs nothing.
 *
 * <p>A task submitted to the loop during the spin ends it at once. One instance per event loop,
 * used only by that loop's thread.
 */
public final class SpinSelectStrategy implements SelectStrategy {
  private final long spinNanos;
  private final LongSupplier nanoTime;
  private SingleThreadEventExecutor executor;

  SpinSelectStrategy(long spinNanos, LongSupplier nanoTime) {
    this.spinNanos = requirePositive(spinNanos);
    this.nanoTime = nanoTime;
  }

  private static long requirePositive(long spinNanos) {
    if (spinNanos <= 0) {
      throw new IllegalArgumentException("spin must be positive: " + spinNanos + " ns");
    }
    return spinNanos;
  }

  /**
   * A factory of strategies that spin for {@code spinNanos} before blocking.
   *
   * @param spinNanos how long to poll, positive
   * @return the factory
   * @throws IllegalArgumentException if {@code spinNanos} is not positive
   */
  public static SelectStrategyFactory factory(long spinNanos) {
    requirePositive(spinNanos); // now, not on the loop
    return () -> new SpinSelectStrategy(spinNanos, System::nanoTime);
  }

  @Override
  public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
    if (hasTasks) {
      return selectSupplier.get();
    }
    long deadline = nanoTime.getAsLong() + spinNanos;
    do {
      int ready = selectSupplier.get();
      if (ready > 0 || tasksArrived()) {
        return ready;
      }
      Thread.onSpinWait();
    } while (nanoTime.getAsLong() - deadline < 0);
    return SELECT;
  }

  private boolean tasksArrived() {
    if (executor == null) {
      EventExecutor current = ThreadExecutorMap.currentExecutor();
      if (!(current instanceof SingleThreadEventExecutor)) {
        return false; // not on a Netty loop (a test): nothing to watch
      }
      executor = (SingleThreadEventExecutor) current;
    }
    return executor.pendingTasks() > 0;
  }
}
