package dev.connect.ca.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.ca.CaProviderConfig;
import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.peers.VaultDev;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.EchoServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new root in Vault (another {@code RootPKIPath}, as Consul's CA configuration changes it)
 * against a real Vault dev server: the new root comes cross-signed by the old one through {@code
 * root/sign-self-issued}, so leaves of the old and the new root keep meeting each other over
 * mutual TLS during the rotation, a new leaf verifies with {@code openssl} against the old root
 * alone, and a restart keeps the new root.
 */
class VaultRootRotationAgainstVaultDevTest {
  @TempDir Path dir;
  private VaultDev vault;
  private FakeTime time;
  private FakeScheduler scheduler;
  private EmbeddedServer server;
  private ConnectAgent agent;

  @BeforeEach
  void start() {
    vault = VaultDev.start();
    time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = FakeScheduler.on(time);
  }

  @AfterEach
  void stop() {
    try {
      if (agent != null) {
        agent.close();
      }
      if (server != null) {
        server.close();
      }
    } finally {
      scheduler.shutdownNow();
      vault.close();
    }
  }

  private VaultConfiguration configuration() {
    return VaultConfiguration.builder().address(vault.address().toString())
        .token(vault.rootToken()).rootPkiPath("connect-root")
        .intermediatePkiPath("connect-intermediate").build();
  }

  private EmbeddedServer openServer() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir.resolve("data")).clock(time)
        .scheduler(scheduler).caProvider(VaultCaProvider.factory(configuration())).open();
  }

  @Test
  void aNewRootPkiPathRotatesToANewRootCrossSignedSoOldAndNewLeavesKeepTalking()
      throws Exception {
    server = openServer();
    agent = ConnectAgent.builder().backend(server)
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time).ticker(time)
        .scheduler(scheduler).build();
    ConnectService db = agent.service("db");
    ConnectService web = agent.service("web");
    CaRoots before = server.roots(QueryOptions.defaults()).join().value();
    X509Certificate oldRoot = before.active().certificate();
    assertThat(db.leaf().certificate().certificate().getIssuerX500Principal())
        .isNotEqualTo(oldRoot.getSubjectX500Principal()); // signed by the intermediate

    CaRoots after = server.updateCaProviderConfig(new CaProviderConfig("vault",
        Map.of("RootPKIPath", "connect-root-2")), QueryOptions.defaults());

    assertThat(after.activeRootId()).isNotEqualTo(before.activeRootId());
    assertThat(after.roots()).extracting(CaRoot::id)
        .containsExactlyInAnyOrder(before.activeRootId(), after.activeRootId());
    X509Certificate newRoot = after.active().certificate();
    List<X509Certificate> chain = after.active().intermediates();
    assertThat(chain).hasSize(2);
    chain.get(0).verify(newRoot.getPublicKey()); // the intermediate under the new root
    X509Certificate cross = chain.get(1);
    assertThat(cross.getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal());
    assertThat(cross.getIssuerX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
    cross.verify(oldRoot.getPublicKey());
    assertThat(server.caProviderConfig(QueryOptions.defaults()).settings())
        .containsEntry("RootPKIPath", "connect-root-2");

    // A leaf of the new root verifies against the old root alone, through the cross-signed one.
    IssuedCertificate fresh = sign(server, "billing");
    Path oldRootFile = write("old-root.pem", Certificates.toPem(oldRoot));
    Path untrusted = write("chain.pem", Certificates.toPem(fresh.intermediates()));
    Path leafFile = write("leaf.pem", Certificates.toPem(fresh.certificate()));
    assertThat(run("openssl", "verify", "-CAfile", oldRootFile.toString(), "-untrusted",
        untrusted.toString(), leafFile.toString())).contains(leafFile + ": OK");

    // Old leaves (db, web) and a new one (api) meet each other both ways.
    ConnectService api = agent.service("api");
    assertThat(api.leaf().certificate().certificate().getIssuerX500Principal())
        .isEqualTo(chain.get(0).getSubjectX500Principal());
    handshake(api, db, "new client, old server");
    handshake(web, api, "old client, new server");
    handshake(web, db, "old client, old server");

    // A restart keeps the new root and mounts, though the old RootPKIPath is configured.
    agent.close();
    agent = null;
    server.close();
    server = openServer();
    assertThat(server.roots(QueryOptions.defaults()).join().value().activeRootId())
        .isEqualTo(after.activeRootId());
    IssuedCertificate reopened = sign(server, "web");
    reopened.certificate().verify(chain.get(0).getPublicKey());
  }

  @Test
  void switchingFromVaultToTheBuiltInCaIsRefusedNamingBoth() throws Exception {
    server = openServer();
    assertThatThrownBy(() -> server.updateCaProviderConfig(
        new CaProviderConfig("consul", Map.of()), QueryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("switching the CA provider from vault to consul is not supported");
    assertThatThrownBy(() -> server.updateCaProviderConfig(new CaProviderConfig("vault",
        Map.of("Token", "s.another-token")), QueryOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Token cannot be changed")
        .hasMessageNotContaining("s.another-token")
        .hasMessageNotContaining(vault.rootToken());
    assertThat(server.caProviderConfig(QueryOptions.defaults()))
        .isEqualTo(new CaProviderConfig("vault", Map.of("Address", vault.address().toString(),
            "RootPKIPath", "connect-root", "IntermediatePKIPath", "connect-intermediate")));
  }

  private static void handshake(ConnectService client, ConnectService server, String line)
      throws Exception {
    try (EchoServer echo = new EchoServer(server.serverSslContext())) {
      assertThat(EchoServer.echo(client.clientSslContext(server.name()), echo.port(), line))
          .isEqualTo(line);
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
    }
  }

  private static IssuedCertificate sign(EmbeddedServer server, String service) {
    ServiceId id = ServiceId.of(server.trustDomain().trustDomain(), "dc1", service);
    return server.signLeaf(LeafRequests.csrPem(id, LeafRequests.newKeyPair()),
        QueryOptions.defaults()).join().value();
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError(List.of(command) + " did not finish in 30 s");
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }
}
