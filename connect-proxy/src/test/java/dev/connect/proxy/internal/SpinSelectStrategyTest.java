package dev.connect.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.nio.NioIoHandler;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The spin of {@code ConnectProxy.Builder.eventLoopSpin}: it polls until an event, a task or the
 * end of the spin, whichever comes first, and then lets the loop block as usual.
 */
class SpinSelectStrategyTest {
  private static final long SPIN = TimeUnit.MICROSECONDS.toNanos(50);

  @Test
  void pendingTasksPollOnceWithoutSpinning() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    SpinSelectStrategy s = new SpinSelectStrategy(SPIN, () -> 0);
    assertThat(s.calculateStrategy(() -> polls.incrementAndGet() * 0, true)).isZero();
    assertThat(polls).hasValue(1);
  }

  @Test
  void returnsTheReadyCountAsSoonAsThePollFindsOne() throws Exception {
    ArrayDeque<Integer> answers = new ArrayDeque<>(List.of(0, 0, 3, 7));
    SpinSelectStrategy s = new SpinSelectStrategy(SPIN, () -> 0); // the clock never moves
    assertThat(s.calculateStrategy(answers::poll, false)).isEqualTo(3);
    assertThat(answers).containsExactly(7);
  }

  @Test
  void blocksOnceTheSpinEndsWithoutAnEvent() throws Exception {
    AtomicLong now = new AtomicLong(Long.MAX_VALUE - SPIN / 2); // and across the overflow
    AtomicInteger polls = new AtomicInteger();
    SpinSelectStrategy s = new SpinSelectStrategy(SPIN,
        () -> now.getAndAdd(TimeUnit.MICROSECONDS.toNanos(10)));
    assertThat(s.calculateStrategy(() -> polls.incrementAndGet() * 0, false))
        .isEqualTo(SelectStrategy.SELECT);
    assertThat(polls).as("polls in 50 µs at 10 µs each").hasValue(5);
  }

  @Test
  void aSpinMustBePositive() {
    assertThatThrownBy(() -> SpinSelectStrategy.factory(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 ns");
  }

  @Test
  void aTaskSubmittedDuringTheSpinEndsIt() throws Exception {
    // A spin of 10 minutes: the task below can only run in time if it ends the spin.
    AtomicLong clockReads = new AtomicLong();
    long spin = TimeUnit.MINUTES.toNanos(10);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(
        SelectorProvider.provider(), () -> new SpinSelectStrategy(spin, () -> {
          clockReads.incrementAndGet();
          return System.nanoTime();
        })));
    try {
      EventLoop loop = group.next();
      loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      long before = clockReads.get();
      while (clockReads.get() < before + 1_000 && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // until the loop is seen spinning
      }
      assertThat(clockReads.get()).as("the idle loop spins").isGreaterThanOrEqualTo(before + 1_000);
      assertThat(loop.submit(() -> "ran").get(10, TimeUnit.SECONDS)).isEqualTo("ran");
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
  }
}
