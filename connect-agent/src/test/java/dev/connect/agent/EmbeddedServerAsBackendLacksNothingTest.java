package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.server.EmbeddedServer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: an agent given {@code .backend(embeddedServer)} refused every admin operation with
 * "dev.connect.server.EmbeddedServer ... lacks it", because the views reached the server only
 * when the agent had opened it itself. Now they use the admin interfaces whatever the backend.
 */
class EmbeddedServerAsBackendLacksNothingTest {
  @TempDir Path dir;

  @Test
  void adminViewsWorkOverAnEmbeddedServerGivenAsBackend() throws Exception {
    FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    FakeScheduler scheduler = FakeScheduler.on(time);
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).clock(time)
        .scheduler(scheduler).open();
        ConnectAgent agent = ConnectAgent.builder().backend(server)
            .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time)
            .scheduler(scheduler).build()) {
      agent.intentions().deny("web", "db");
      assertThat(server.checkIntention("web", "db", QueryOptions.defaults()).allowed())
          .isFalse();
      assertThat(agent.intentions().list()).hasSize(1);
      String before = agent.ca().roots().activeRootId();
      assertThat(agent.ca().rotate().activeRootId()).isNotEqualTo(before);
      assertThat(agent.ca().configuration()).isEqualTo(server.caConfiguration(
          QueryOptions.defaults()));
    } finally {
      scheduler.shutdownNow();
    }
  }
}
