package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.server.DataDirectoryException;
import dev.connect.testkit.EchoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What close() stops, what fails afterwards, and what survives in the data directory. */
class AgentLifecycleTest {
  @TempDir
  Path dir;

  @Test
  void closeLeavesNoBackgroundWorkOnTheScheduler() throws Exception {
    AgentFixture f = new AgentFixture(dir);
    ConnectService db = f.agent.service("db");
    db.serverSslContext(); // roots, leaf and intention match, each with a background loop
    f.agent.service("web").clientSslContext("db");
    f.runDue();
    assertThat(f.scheduler.pending()).as("refresh loops and renewals are scheduled").isPositive();

    f.agent.close();

    assertThat(f.scheduler.pending()).as("tasks left after close").isZero();
    f.scheduler.advance(Duration.ofDays(4)); // past every renewal point: nothing wakes up
    assertThat(f.scheduler.pending()).isZero();
    assertThat(f.scheduler.isShutdown()).as("an injected scheduler is the caller's").isFalse();
    f.scheduler.shutdownNow();
  }

  @Test
  void callsAfterCloseThrowNamingTheAgentAndCloseIsIdempotent() throws Exception {
    AgentFixture f = new AgentFixture(dir);
    ConnectService web = f.agent.service("web");
    AgentIntentions intentions = f.agent.intentions();
    String name = f.agent.toString();
    assertThat(name).startsWith("ConnectAgent[EmbeddedServer[").contains(dir.toString());

    f.close();
    f.agent.close();
    assertThat(f.agent.isClosed()).isTrue();

    List<Runnable> calls = List.of(
        () -> f.agent.service("web"),
        () -> f.agent.trustDomain(),
        () -> f.agent.ca(),
        web::leaf,
        web::serverSslContext,
        () -> web.clientSslContext("db"),
        () -> web.onHandshake(e -> { }),
        intentions::list);
    for (Runnable call : calls) {
      assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class)
          .hasMessage(name + " is closed");
    }
  }

  @Test
  void aContextBuiltBeforeCloseRefusesNewHandshakesAfterwards() throws Exception {
    AgentFixture f = new AgentFixture(dir);
    SSLContext server = f.agent.service("db").serverSslContext();
    SSLContext client = f.agent.service("web").clientSslContext("db");
    try (EchoServer echo = new EchoServer(server)) {
      assertThat(EchoServer.echo(client, echo.port(), "open")).isEqualTo("open");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
      f.close();
      assertThatThrownBy(() -> EchoServer.echo(client, echo.port(), "closed"))
          .isInstanceOf(java.io.IOException.class);
      assertThat(echo.next()).isNotInstanceOf(EchoServer.Ok.class);
    }
  }

  @Test
  void reopeningTheDataDirectoryKeepsTheRoot() throws Exception {
    String trustDomain;
    String rootId;
    try (AgentFixture first = new AgentFixture(dir)) {
      trustDomain = first.agent.trustDomain();
      rootId = first.agent.service("web").roots().activeRootId();
      assertThatThrownBy(() -> new AgentFixture(dir))
          .as("one server per directory").isInstanceOf(DataDirectoryException.class);
    }
    try (AgentFixture second = new AgentFixture(dir)) {
      assertThat(second.agent.trustDomain()).isEqualTo(trustDomain);
      assertThat(second.agent.service("web").roots().activeRootId()).isEqualTo(rootId);
      assertThat(second.agent.service("web").leaf().chain().get(0).getIssuerX500Principal())
          .isEqualTo(second.agent.ca().roots().active().certificate().getSubjectX500Principal());
    }
  }

  @Test
  void anOwnedSchedulerIsStoppedByClose() throws Exception {
    ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).build();
    agent.service("web").leaf();
    List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("connect-agent-")).toList();
    assertThat(threads).isNotEmpty().allMatch(Thread::isDaemon);
    agent.close();
    for (Thread t : threads) {
      t.join(EchoServer.TIMEOUT_MS);
      assertThat(t.isAlive()).as(t.getName()).isFalse();
    }
  }
}
