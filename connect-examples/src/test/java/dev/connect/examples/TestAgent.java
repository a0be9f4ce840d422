package dev.connect.examples;

import dev.connect.agent.ConnectAgent;
import dev.connect.cache.FakeScheduler;
import dev.connect.cache.FakeTime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A real agent (embedded server, CA and cache) in a temporary directory whose background work
 * runs on a {@link FakeScheduler}: the test decides when the cache's blocking queries deliver,
 * so "the intention is in force now" is a step of the test rather than a race. An application
 * uses the agent's own scheduler, where an intention arrives a moment after it is written.
 */
final class TestAgent implements AutoCloseable {
  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = new FakeScheduler(time);
  final ConnectAgent agent;

  TestAgent(Path dataDirectory) throws IOException {
    agent = ConnectAgent.builder().dataDirectory(dataDirectory).clock(time).scheduler(scheduler)
        .build();
  }

  /**
   * Writes a deny intention and lets the cache's blocking query on the destination's intentions
   * return with it, so the next handshake sees it.
   */
  void deny(String source, String destination) {
    scheduler.runDue(); // the blocking query starts waiting...
    agent.intentions().deny(source, destination);
    scheduler.runDue(); // ...and returns with the new intention
  }

  @Override
  public void close() {
    agent.close();
    scheduler.shutdownNow();
  }
}
