package dev.connect.agent;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up the agent tests share: a fresh {@link AgentFixture} per test in its own temporary
 * directory, closed after the test. A subclass changes the agent through {@link #configure}.
 */
abstract class AgentTestBase {
  @TempDir
  Path dir;
  AgentFixture f;

  @BeforeEach
  void openFixture() throws IOException {
    f = new AgentFixture(dir, this::configure);
  }

  @AfterEach
  void closeFixture() {
    f.close();
  }

  /** Adds this test's settings to the agent's builder; none by default. */
  ConnectAgent.Builder configure(ConnectAgent.Builder builder) {
    return builder;
  }
}
