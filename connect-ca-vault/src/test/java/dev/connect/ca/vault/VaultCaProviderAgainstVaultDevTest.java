package dev.connect.ca.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.peers.VaultDev;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.EchoServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vault CA provider against a real Vault dev server (issue 16): leaves verify with {@code
 * openssl verify} against Vault's root, two services speak mutual TLS through {@link ConnectAgent}
 * as with the built-in CA, a rotation to a new intermediate breaks no handshake, a restart reuses
 * the provider's state, and a sealed or stopped Vault gives {@link VaultException} while cached
 * leaves keep serving.
 */
class VaultCaProviderAgainstVaultDevTest {
  @TempDir Path dir;
  private VaultDev vault;
  private FakeTime time;
  private FakeScheduler scheduler;
  private EmbeddedServer server;
  private ConnectAgent agent;

  @BeforeEach
  void start() {
    vault = VaultDev.start();
    // Vault dates its certificates by the real clock; the agent's clock starts there.
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

  private ConnectAgent agentOver(EmbeddedServer backend) throws Exception {
    return ConnectAgent.builder().backend(backend)
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DISABLED).clock(time).ticker(time)
        .scheduler(scheduler).build();
  }

  @Test
  void leavesSignedThroughVaultVerifyWithOpensslAgainstTheVaultRoot() throws Exception {
    SigningId td = SigningId.of("0b9f3c11-5a4e-4a61-b1b5-111111111111.consul");
    VaultCaProvider provider = VaultCaProvider.open(configuration(), td,
        CaConfiguration.defaults(), Optional.empty());
    ServiceId web = ServiceId.of(td.trustDomain(), "dc1", "web");
    CertificateRequest request = CertificateRequest.validate(
        LeafRequests.csrPem(web, LeafRequests.newKeyPair()), td, "dc1",
        CaConfiguration.defaults());
    X509Certificate leaf = provider.sign(request);

    Path root = write("root.pem", Certificates.toPem(provider.rootCertificate()));
    Path intermediate = write("int.pem", Certificates.toPem(provider.intermediates()));
    Path leafFile = write("leaf.pem", Certificates.toPem(leaf));
    String out = run("openssl", "verify", "-CAfile", root.toString(), "-untrusted",
        intermediate.toString(), leafFile.toString());
    assertThat(out).contains(leafFile + ": OK");
    // Vault 1.7 marks the URI SAN critical under an empty subject: our trust managers take it.
    assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.17");
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    assertThat(provider.toString()).doesNotContain(vault.rootToken());
  }

  @Test
  void servicesSpeakMutualTlsAndARotationToANewIntermediateBreaksNoHandshake()
      throws Exception {
    server = openServer();
    agent = agentOver(server);
    ConnectService db = agent.service("db");
    ConnectService web = agent.service("web");
    X509Certificate firstIntermediate = db.leaf().certificate().intermediates().get(0);
    try (EchoServer echo = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "before"))
          .isEqualTo("before");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);

      CaRoots after = server.rotateRoot(QueryOptions.defaults());
      assertThat(after.active().intermediates()).doesNotContain(firstIntermediate);
      // Old leaves under the old intermediate still meet each other and new leaves.
      assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "old"))
          .isEqualTo("old");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);

      ConnectService api = agent.service("api");
      assertThat(api.leaf().certificate().intermediates())
          .isEqualTo(after.active().intermediates());
      assertThat(EchoServer.echo(api.clientSslContext("db"), echo.port(), "mixed"))
          .isEqualTo("mixed");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
    }
    scheduler.advance(Duration.ofHours(60)); // renewals: every leaf under the new intermediate
    assertThat(db.leaf().certificate().intermediates().get(0))
        .isNotEqualTo(firstIntermediate);
    try (EchoServer echo = new EchoServer(db.serverSslContext())) {
      assertThat(EchoServer.echo(web.clientSslContext("db"), echo.port(), "renewed"))
          .isEqualTo("renewed");
      assertThat(echo.next()).isInstanceOf(EchoServer.Ok.class);
    }
  }

  @Test
  void aRestartReusesTheProvidersRootAndIntermediate() throws Exception {
    server = openServer();
    CaRoots before = server.roots(QueryOptions.defaults()).join().value();
    server.rotateRoot(QueryOptions.defaults());
    CaRoots rotated = server.roots(QueryOptions.defaults()).join().value();
    server.close();
    server = null;

    server = openServer();
    CaRoots reopened = server.roots(QueryOptions.defaults()).join().value();
    assertThat(reopened.activeRootId()).isEqualTo(before.activeRootId());
    assertThat(reopened.active().intermediates())
        .isEqualTo(rotated.active().intermediates());
    IssuedCertificate leaf = sign(server, "web");
    assertThat(leaf.intermediates()).isEqualTo(rotated.active().intermediates());
    leaf.certificate().verify(rotated.active().intermediates().get(0).getPublicKey());

    server.close();
    server = null;
    assertThatThrownBy(() -> EmbeddedServer.builder().dataDirectory(dir.resolve("data"))
        .clock(time).scheduler(scheduler).open())
        .hasMessageContaining("uses the vault provider, but the consul provider is configured");
  }

  /**
   * A crash after the provider's state named the new intermediate but before {@code
   * state.json} did: the next open lists the provider's intermediate, so leaves and the chain
   * they carry agree.
   */
  @Test
  void aCrashBetweenTheProviderStateAndTheCaStateIsMendedOnOpen() throws Exception {
    server = openServer();
    Path state = dir.resolve("data").resolve("state.json");
    byte[] beforeRotation = Files.readAllBytes(state);
    CaRoots rotated = server.rotateRoot(QueryOptions.defaults());
    server.close();
    server = null;
    Files.write(state, beforeRotation); // state.json as if the crash came before its write

    server = openServer();
    assertThat(server.roots(QueryOptions.defaults()).join().value().active().intermediates())
        .isEqualTo(rotated.active().intermediates());
    IssuedCertificate leaf = sign(server, "web");
    assertThat(leaf.intermediates()).isEqualTo(rotated.active().intermediates());
    leaf.certificate().verify(leaf.intermediates().get(0).getPublicKey());
  }

  @Test
  void aDirectoryOfTheBuiltInCaRefusesTheVaultProviderNamingBoth() throws Exception {
    EmbeddedServer.builder().dataDirectory(dir.resolve("data")).clock(time).scheduler(scheduler)
        .open().close();
    assertThatThrownBy(this::openServer)
        .hasMessageContaining("uses the consul provider, but the vault provider is configured");
  }

  @Test
  void aSealedOrStoppedVaultGivesVaultExceptionWhileCachedLeavesServe() throws Exception {
    server = openServer();
    agent = agentOver(server);
    ConnectService db = agent.service("db");
    ConnectService web = agent.service("web");
    db.leaf();
    web.leaf();

    vault.seal();
    Throwable sealed = signFailure(server, "api");
    assertThat(sealed).isInstanceOf(VaultException.class)
        .hasMessageContaining("POST /v1/connect-intermediate/sign/leaf-cert: 503")
        .hasMessageContaining("Vault is sealed")
        .hasMessageNotContaining(vault.rootToken());
    assertThat(((VaultException) sealed).sealed()).isTrue();
    handshake(web, db, "sealed");

    vault.close();
    Throwable stopped = signFailure(server, "api");
    assertThat(stopped).isInstanceOf(VaultException.class)
        .hasMessageContaining("POST /v1/connect-intermediate/sign/leaf-cert: no answer")
        .hasMessageContaining("unreachable");
    assertThat(((VaultException) stopped).status()).isEqualTo(VaultException.NO_ANSWER);
    handshake(web, db, "stopped");
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

  private static Throwable signFailure(EmbeddedServer server, String service) {
    try {
      sign(server, service);
    } catch (CompletionException e) {
      return e.getCause();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("signing " + service + " succeeded");
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
