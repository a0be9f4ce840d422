package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.ca.CaConfiguration;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import dev.connect.testkit.EchoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation listeners hear a CA rotation and a leaf renewal, for their own handle only. */
class RotationListenerTest extends AgentTestBase {
  static final Duration LEAF_TTL = Duration.ofHours(2);

  /** Records what one handle heard. */
  static final class Recorder implements RotationListener {
    final List<Leaf> leaves = new CopyOnWriteArrayList<>();
    final List<CaRoots> roots = new CopyOnWriteArrayList<>();

    @Override
    public void leafChanged(ConnectService service, Leaf leaf) {
      leaves.add(leaf);
    }

    @Override
    public void rootsChanged(ConnectService service, CaRoots roots) {
      this.roots.add(roots);
    }
  }

  @Override
  ConnectAgent.Builder configure(ConnectAgent.Builder builder) {
    return builder.caConfiguration(
        CaConfiguration.defaults().toBuilder().leafCertTtl(LEAF_TTL).build());
  }

  @Test
  void aCaRotationIsHeardAsNewRootsThenANewLeafSignedByTheNewRoot() throws Exception {
    ConnectService web = f.agent.service("web");
    ConnectService db = f.agent.service("db");
    Leaf first = web.leaf();
    db.roots();
    // Same service, another token: another cache partition, which has read only its roots.
    ConnectService webOther = f.agent.service("web", "another-token");
    webOther.roots();
    Recorder heard = new Recorder();
    Recorder dbHeard = new Recorder();
    Recorder otherHeard = new Recorder();
    web.onRotation(heard);
    db.onRotation(dbHeard);
    webOther.onRotation(otherHeard);
    f.runDue(); // the roots' blocking query is waiting

    CaRoots rotated = f.agent.ca().rotate();
    f.runDue();

    assertThat(heard.roots).singleElement()
        .satisfies(r -> assertThat(r.activeRootId()).isEqualTo(rotated.activeRootId()));
    assertThat(web.roots().activeRootId()).isEqualTo(rotated.activeRootId());
    assertThat(dbHeard.roots).as("db reads the same roots partition").hasSize(1);

    f.scheduler.advance(Duration.ofSeconds(31)); // past the re-issue jitter window
    assertThat(heard.leaves).singleElement().satisfies(leaf -> {
      assertThat(leaf.certificate().serialNumber()).isNotEqualTo(
          first.certificate().serialNumber());
      assertThat(leaf.chain().get(0).getIssuerX500Principal()).isEqualTo(
          rotated.active().certificate().getSubjectX500Principal());
      assertThat(web.leaf()).isSameAs(leaf);
    });
    assertThat(dbHeard.leaves).as("db never read a leaf, and web's is not db's").isEmpty();
    assertThat(otherHeard.roots).as("its own roots entry changed too").hasSize(1);
    assertThat(otherHeard.leaves).as("the anonymous partition's leaf is not its").isEmpty();
  }

  @Test
  void aShorterCaChangeJitterReissuesWithinIt(@TempDir Path other) throws Exception {
    try (AgentFixture g = new AgentFixture(other,
        b -> b.caChangeJitter(Duration.ofSeconds(2)))) {
      ConnectService web = g.agent.service("web");
      Leaf first = web.leaf();
      Recorder heard = new Recorder();
      web.onRotation(heard);
      g.runDue();
      g.agent.ca().rotate();
      g.runDue();
      assertThat(heard.leaves).isEmpty();
      g.scheduler.advance(Duration.ofSeconds(2));
      assertThat(heard.leaves).singleElement().satisfies(leaf -> assertThat(
          leaf.certificate().serialNumber()).isNotEqualTo(first.certificate().serialNumber()));
    }
  }

  @Test
  void aLeafRenewalIsHeardAndTheHandshakeUsesTheNewLeaf() throws Exception {
    ConnectService web = f.agent.service("web");
    ConnectService db = f.agent.service("db");
    SSLContext server = db.serverSslContext();
    SSLContext client = web.clientSslContext("db");
    Leaf first = web.leaf();
    Recorder heard = new Recorder();
    RotationListener failing = new RotationListener() {
      @Override
      public void leafChanged(ConnectService service, Leaf leaf) {
        throw new IllegalStateException("listener bug");
      }
    };
    web.onRotation(failing);
    web.onRotation(heard);
    Recorder removed = new Recorder();
    web.onRotation(removed).close();

    f.scheduler.advance(LEAF_TTL.multipliedBy(9).dividedBy(10).plusMinutes(1));

    assertThat(heard.leaves).isNotEmpty();
    Leaf renewed = heard.leaves.get(heard.leaves.size() - 1);
    assertThat(renewed.certificate().serialNumber())
        .isNotEqualTo(first.certificate().serialNumber());
    assertThat(renewed.validBefore()).isAfter(first.validBefore());
    assertThat(heard.roots).as("no rotation happened").isEmpty();
    assertThat(removed.leaves).isEmpty();

    try (EchoServer echo = new EchoServer(server)) {
      assertThat(EchoServer.echo(client, echo.port(), "renewed")).isEqualTo("renewed");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
    }
    assertThat(web.leaf().certificate().serialNumber())
        .isEqualTo(renewed.certificate().serialNumber());
  }
}
