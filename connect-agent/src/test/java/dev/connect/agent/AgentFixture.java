package dev.connect.agent;

import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;

/**
 * An agent over a real embedded server in a temporary directory, on one {@link FakeTime} and a
 * {@link FakeScheduler}: background queries, renewals and re-issues run on the test thread when
 * it calls {@link FakeScheduler#runDue()} or {@link FakeScheduler#advance}. Time starts at the
 * real now, truncated to seconds.
 */
final class AgentFixture implements AutoCloseable {
  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final ConnectAgent agent;

  AgentFixture(Path dir) throws IOException {
    this(dir, b -> b);
  }

  AgentFixture(Path dir, UnaryOperator<ConnectAgent.Builder> more) throws IOException {
    agent = more.apply(ConnectAgent.builder().dataDirectory(dir).clock(time).scheduler(scheduler))
        .build();
  }

  /** Lets waiting blocking queries deliver what changed. */
  void runDue() {
    scheduler.runDue();
  }

  @Override
  public void close() {
    agent.close();
    scheduler.shutdownNow();
  }
}
