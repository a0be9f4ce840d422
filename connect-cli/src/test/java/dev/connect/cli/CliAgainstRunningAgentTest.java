package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.agent.ConnectAgent;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.SpiffeId;
import dev.connect.http.ConnectHttpServer;
import dev.connect.peers.FreePorts;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the admin commands against a running {@code connect agent} (the HTTP API over an
 * agent on a temporary directory, on a free loopback port), reached through {@code --http-addr}
 * and through Consul's environment variables, with Consul's exit codes. Before, every admin
 * command needed the {@code --data-dir} of a stopped server, which a running agent holds locked.
 */
class CliAgainstRunningAgentTest {
  private static final Pattern ACTIVE_ID =
      Pattern.compile("ID:\\s+([0-9a-f:]{59})\\s+\\(active\\)");

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(status, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(Map.of(), args);
  }

  /** An agent with fake time on {@code dir}, served on a free loopback port; both closed. */
  static final class Agent implements AutoCloseable {
    final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final ConnectAgent agent;
    final ConnectHttpServer server;

    Agent(Path dir, Consumer<ConnectAgent.Builder> options) throws java.io.IOException {
      ConnectAgent.Builder b = ConnectAgent.builder().dataDirectory(dir).clock(time).ticker(time)
          .scheduler(FakeScheduler.on(time));
      options.accept(b);
      agent = b.build();
      try {
        server = ConnectHttpServer.builder(agent)
            .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
      } catch (RuntimeException e) {
        agent.close();
        throw e;
      }
    }

    Agent(Path dir) throws java.io.IOException {
      this(dir, b -> { });
    }

    String addr() {
      return "127.0.0.1:" + server.address().getPort();
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        agent.close();
      }
    }
  }

  @Test
  void intentionsCreateListCheckAndDeleteOverHttpAddrWithConsulsExitCodes() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"))) {
      String addr = a.addr();
      Run allow = run("intention", "create", "--http-addr", addr, "web", "db");
      assertThat(allow.status()).as(allow.err()).isZero();
      assertThat(allow.out()).contains("Created: default/web => default/db (allow)");
      Run deny = run("intention", "create", "--deny", "--http-addr", "http://" + addr,
          "--description", "no api", "api", "db");
      assertThat(deny.status()).as(deny.err()).isZero();

      Run list = run("intention", "list", "--http-addr", addr);
      assertThat(list.status()).as(list.err()).isZero();
      assertThat(list.out()).contains("default/web").contains("default/api")
          .contains("default/db");
      // What the agent itself holds: the CLI wrote there, not to some other store.
      assertThat(a.agent.intentions().list()).hasSize(2);

      Run allowed = run("intention", "check", "--http-addr", addr, "web", "db");
      assertThat(allowed.status()).as(allowed.err()).isZero();
      assertThat(allowed.out()).startsWith("Allowed\n");
      Run denied = run("intention", "check", "--http-addr", addr, "api", "db");
      assertThat(denied.status()).as("denied exits 2, as Consul's CLI").isEqualTo(2);
      assertThat(denied.out()).startsWith("Denied\n");

      Run get = run("intention", "get", "--http-addr", addr, "api", "db");
      assertThat(get.out()).contains("Action:       deny").contains("Description:  no api");

      Run duplicate = run("intention", "create", "--http-addr", addr, "web", "db");
      assertThat(duplicate.status()).isEqualTo(1);
      assertThat(duplicate.err()).hasLineCount(1)
          .contains("POST http://" + addr + "/v1/connect/intentions")
          .contains("duplicate intention found").doesNotContain("Exception");

      assertThat(run("intention", "delete", "--http-addr", addr, "api", "db").out())
          .startsWith("Deleted: default/api => default/db");
      assertThat(run("intention", "check", "--http-addr", addr, "api", "db").status()).isZero();
      assertThat(run("intention", "get", "--http-addr", addr, "api", "db").status())
          .isEqualTo(1);
    }
  }

  @Test
  void consulsEnvironmentPointsEveryAdminCommandAtTheAgent() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"))) {
      Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", "http://" + a.addr());
      Run create = run(env, "intention", "create", "--deny", "web", "db");
      assertThat(create.status()).as(create.err()).isZero();
      assertThat(run(env, "intention", "check", "web", "db").status()).isEqualTo(2);
      Run roots = run(env, "ca", "roots");
      assertThat(roots.status()).as(roots.err()).isZero();
      assertThat(roots.out()).contains("Trust domain: " + a.agent.trustDomain());
      Run leaf = run(env, "leaf", "web", "--out", dir.resolve("web").toString());
      assertThat(leaf.status()).as(leaf.err()).isZero();
    }
  }

  @Test
  void aDataDirectoryAndAnAgentAddressAtOnceAreRefusedNamingBoth() throws Exception {
    Path data = dir.resolve("data");
    assertThat(run("init", "--data-dir", data.toString()).status()).isZero();
    Run both = run("intention", "list", "--data-dir", data.toString(), "--http-addr",
        "127.0.0.1:1");
    assertThat(both.status()).isEqualTo(1);
    assertThat(both.err()).contains("--data-dir " + data + " and --http-addr 127.0.0.1:1 name"
        + " two targets");
    Run caFile = run("ca", "roots", "--data-dir", data.toString(), "--ca-file", "/nowhere.pem");
    assertThat(caFile.status()).isEqualTo(1);
    assertThat(caFile.err()).contains("--ca-file /nowhere.pem has no effect with --data-dir");
    Run acls = run("intention", "list", "--http-addr", "127.0.0.1:1", "--acls");
    assertThat(acls.status()).isEqualTo(1);
    assertThat(acls.err()).contains("--acls asserts what a data directory records");
  }

  @Test
  void withADataDirectoryConsulsEnvironmentIsIgnored() throws Exception {
    Path data = dir.resolve("data");
    assertThat(run("init", "--data-dir", data.toString()).status()).isZero();
    // Nothing listens there: were the variable used, the command would fail.
    Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", "127.0.0.1:" + FreePorts.pick(1)[0],
        "CONSUL_CACERT", "/nowhere.pem");
    Run list = run(env, "intention", "create", "--data-dir", data.toString(), "web", "db");
    assertThat(list.status()).as(list.err()).isZero();
  }

  @Test
  void anUnreachableAgentIsOneLineNamingTheEndpoint() throws Exception {
    int port = FreePorts.pick(1)[0];
    Run run = run("intention", "list", "--http-addr", "127.0.0.1:" + port);
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).hasLineCount(1)
        .contains("GET http://127.0.0.1:" + port + "/v1/connect/intentions")
        .contains("connection refused").doesNotContain("\tat ").doesNotContain("Exception");
    Run badAddr = run("ca", "roots", "--http-addr", "ftp://x:1");
    assertThat(badAddr.status()).isEqualTo(1);
    assertThat(badAddr.err()).contains("--http-addr").contains("ftp://x:1");
    Run badCa = run("ca", "roots", "--http-addr", "https://127.0.0.1:" + port, "--ca-file",
        dir.resolve("nowhere.pem").toString());
    assertThat(badCa.status()).isEqualTo(1);
    assertThat(badCa.err()).hasLineCount(1).contains(dir.resolve("nowhere.pem").toString());
    Run badEnv = run(Map.of("CONSUL_HTTP_ADDR", "unix:///tmp/consul.sock"), "ca", "roots");
    assertThat(badEnv.status()).isEqualTo(1);
    assertThat(badEnv.err()).contains("CONSUL_HTTP_ADDR").contains("unix:///tmp/consul.sock");
  }

  @Test
  void caRootsPemPrintsTheBundleAClientNeedsFromTheAgentAndFromADirectory() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"))) {
      Run pem = run("ca", "roots", "--pem", "--http-addr", a.addr());
      assertThat(pem.status()).as(pem.err()).isZero();
      assertThat(parse(pem.out()))
          .containsExactlyInAnyOrderElementsOf(a.agent.ca().roots().certificates());
      assertThat(pem.out()).startsWith("-----BEGIN CERTIFICATE-----")
          .doesNotContain("Trust domain");
    }
    Path data = dir.resolve("data");
    assertThat(run("init", "--data-dir", data.toString()).status()).isZero();
    Run local = run("ca", "roots", "--pem", "--data-dir", data.toString());
    assertThat(local.status()).as(local.err()).isZero();
    assertThat(parse(local.out())).hasSize(1);
  }

  @Test
  void caRotateOverHttpMakesANewActiveRoot() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"))) {
      String before = activeId(run("ca", "roots", "--http-addr", a.addr()).out());
      Run rotate = run("ca", "rotate", "--http-addr", a.addr());
      assertThat(rotate.status()).as(rotate.err()).isZero();
      String after = activeId(rotate.out());
      assertThat(after).isNotEqualTo(before);
      assertThat(a.agent.ca().roots().activeRootId()).isEqualTo(after);
      assertThat(rotate.out()).contains(before).as("the old root stays trusted");
    }
  }

  /** The agent offers our CSR endpoint, so the key is made by the CLI and never crosses. */
  @Test
  void leafFromOurAgentIsSignedFromACsrAndTheKeyIsMadeHere() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"))) {
      Path out = dir.resolve("web");
      Run leaf = run("leaf", "web", "--out", out.toString(), "--http-addr", a.addr());
      assertThat(leaf.status()).as(leaf.err()).isZero();
      assertThat(leaf.out())
          .contains("Key made here; only its CSR went to /v1/agent/connect/ca/sign");
      X509Certificate cert = parse(Files.readString(out.resolve("cert.pem"))).get(0);
      assertThat(SpiffeId.fromCertificate(cert).toString())
          .isEqualTo("spiffe://" + a.agent.trustDomain() + "/ns/default/dc/dc1/svc/web");
      PrivateKeyInfo info;
      try (PEMParser p = new PEMParser(Files.newBufferedReader(out.resolve("key.pem")))) {
        info = (PrivateKeyInfo) p.readObject();
      }
      java.security.PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(info);
      java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(new byte[] {1, 2, 3});
      byte[] sig = s.sign();
      s.initVerify(cert.getPublicKey());
      s.update(new byte[] {1, 2, 3});
      assertThat(s.verify(sig)).as("key.pem belongs to cert.pem").isTrue();
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate root : parse(Files.readString(out.resolve("ca.pem")))) {
        anchors.add(new TrustAnchor(root, null));
      }
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(a.time.instant()));
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
          .generateCertPath(List.of(cert)), params);
    }
  }

  /** A refusal names the endpoint and the missing permission, and never the secret. */
  @Test
  void aRefusalByTheAgentNamesTheEndpointAndThePermission() throws Exception {
    try (Agent a = new Agent(dir.resolve("agent"),
        b -> b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY))) {
      String management = a.agent.acl().bootstrap().revealSecretId();
      Run anonymous = run("intention", "create", "--http-addr", a.addr(), "web", "db");
      assertThat(anonymous.status()).isEqualTo(1);
      assertThat(anonymous.err()).hasLineCount(1)
          .contains("/v1/connect/intentions").contains("403")
          .contains("intention:write").contains("db");
      Path tokenFile = Files.writeString(dir.resolve("token"), management + "\n");
      Run withFile = run("intention", "create", "--http-addr", a.addr(), "--token-file",
          tokenFile.toString(), "web", "db");
      assertThat(withFile.status()).as(withFile.err()).isZero();
      Run withEnv = run(Map.of("CONSUL_HTTP_TOKEN", management), "intention", "check",
          "--http-addr", a.addr(), "web", "db");
      assertThat(withEnv.status()).as(withEnv.err()).isZero();
      Run badToken = run("intention", "list", "--http-addr", a.addr(), "--token",
          "00000000-0000-4000-8000-00000000b0b0");
      assertThat(badToken.status()).isEqualTo(1);
      assertThat(badToken.err()).contains("ACL not found")
          .doesNotContain("00000000-0000-4000-8000-00000000b0b0");
      assertThat(run("intention", "list", "--http-addr", a.addr(), "--token", management,
          "--token-file", tokenFile.toString()).err())
          .contains("--token and --token-file " + tokenFile + " both give the token");
    }
  }

  static List<X509Certificate> parse(String pem) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static String activeId(String output) {
    Matcher m = ACTIVE_ID.matcher(output);
    assertThat(m.find()).as("an active root in:%n%s", output).isTrue();
    return m.group(1);
  }
}
