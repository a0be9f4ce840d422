package dev.connect.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.AgentAcl;
import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoot;
import dev.connect.core.Intentions;
import dev.connect.core.PermissionDeniedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 14: the agent's behaviour, run unchanged over every server it can sit on: the embedded
 * server, {@code connect agent} (a {@code ConnectHttpServer}, reached through {@code
 * ConsulBackend}) and a real Consul dev agent. Each server has ACLs on with default deny and
 * accepts {@link #MANAGEMENT}; services use tokens made here with {@code service "<name>" {
 * policy = "write" }}. Leaves are issued and valid; a rotation re-issues them while handshakes
 * run and fails none; an intention change reaches the cache and refuses the next handshake; a
 * token without {@code service:write} is refused, finally, naming the service. Real time:
 * every wait is bounded and rides on the cache's change events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgentBehaviourContract {
  static final String MANAGEMENT = "6f1c2d3e-4a5b-4c6d-8e7f-000000000b14";
  /** How long a change may take to reach the cache: a bound asserted. */
  static final Duration CHANGE_BOUND = Duration.ofSeconds(30);
  /** How long a rotation may take to re-issue both leaves: a bound asserted. */
  static final Duration ROTATION_BOUND = Duration.ofSeconds(120);
  private static final int TIMEOUT_MS = 20_000; // hang guard on sockets, never asserted

  Path dir;
  ConnectAgent agent;
  String webToken;
  String dbToken;

  /** Starts the server under test with its data in {@code dir}, if it needs one. */
  abstract void startServer(Path dir) throws Exception;

  /** Builds an agent over the server under test, which accepts {@link #MANAGEMENT}. */
  abstract ConnectAgent newAgent() throws Exception;

  /** Stops the server under test; called also when the start failed half way. */
  abstract void stopServer() throws Exception;

  /** Rotates the server's CA to a new root key and returns the new active root. */
  CaRoot rotate() {
    return agent.ca(MANAGEMENT).rotate().active();
  }

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("connect-contract-");
    try {
      startServer(dir.resolve("server"));
      agent = newAgent();
      AgentAcl acl = agent.acl(MANAGEMENT);
      acl.createPolicy("contract-web", "", "service \"web\" { policy = \"write\" }");
      acl.createPolicy("contract-db", "",
          "service \"db\" { policy = \"write\" intentions = \"read\" }");
      webToken = acl.createToken("web", List.of("contract-web")).revealSecretId();
      dbToken = acl.createToken("db", List.of("contract-db")).revealSecretId();
    } catch (Exception | AssertionError e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  void stop() throws Exception {
    try (AutoCloseable d = this::deleteDir; AutoCloseable s = this::stopServer;
        AutoCloseable a = agent) {
      // closed in reverse order, each also when another fails
    }
  }

  private void deleteDir() throws IOException {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void leafIsIssuedForTheServiceValidNowAndSignedByTheActiveRoot() {
    ConnectService web = agent.service("web", webToken);
    Leaf leaf = web.leaf();
    Instant now = Instant.now();
    assertThat(leaf.certificate().service()).isEqualTo(web.id());
    assertThat(leaf.validAfter()).isBefore(now.plusSeconds(1));
    assertThat(leaf.validBefore()).isAfter(now.plus(Duration.ofMinutes(30)));
    assertThat(signedBy(leaf, web.roots().active())).isTrue();
  }

  @Test
  void rotationReissuesBothLeavesAndNoHandshakeFails() throws Exception {
    agent.intentions(MANAGEMENT).allow("web", "db");
    ConnectService db = agent.service("db", dbToken);
    ConnectService web = agent.service("web", webToken);
    awaitDecision(db, web, true);
    BigInteger webBefore = web.leaf().certificate().serialNumber();
    BigInteger dbBefore = db.leaf().certificate().serialNumber();
    try (TlsEcho echo = new TlsEcho(db.serverSslContext())) {
      SSLContext client = web.clientSslContext("db");
      List<String> failures = new ArrayList<>();
      int handshakes = 0;
      for (; handshakes < 5; handshakes++) {
        record(failures, client, echo);
      }
      CaRoot active = rotate();
      long deadline = System.nanoTime() + ROTATION_BOUND.toNanos();
      while (!signedBy(web.leaf(), active) || !signedBy(db.leaf(), active)) {
        assertThat(System.nanoTime() - deadline).as("both leaves under the new root within "
            + ROTATION_BOUND + " (" + handshakes + " handshakes)").isNegative();
        record(failures, client, echo);
        handshakes++;
      }
      for (int i = 0; i < 5; i++, handshakes++) {
        record(failures, client, echo);
      }
      assertThat(failures).as("failed handshakes of " + handshakes).isEmpty();
      assertThat(web.leaf().certificate().serialNumber()).isNotEqualTo(webBefore);
      assertThat(db.leaf().certificate().serialNumber()).isNotEqualTo(dbBefore);
    } finally {
      agent.intentions(MANAGEMENT).delete("web", "db");
    }
  }

  @Test
  void intentionChangeReachesTheCacheAndRefusesTheNextHandshake() throws Exception {
    ConnectService db = agent.service("db", dbToken);
    ConnectService web = agent.service("web", webToken);
    try (TlsEcho echo = new TlsEcho(db.serverSslContext())) {
      agent.intentions(MANAGEMENT).allow("web", "db");
      awaitDecision(db, web, true);
      assertThat(echo(web.clientSslContext("db"), echo, "allowed")).isEqualTo("allowed");

      agent.intentions(MANAGEMENT).deny("web", "db");
      awaitDecision(db, web, false);
      assertThatThrownBy(() -> echo(web.clientSslContext("db"), echo, "denied"))
          .isInstanceOf(IOException.class);
    } finally {
      agent.intentions(MANAGEMENT).delete("web", "db");
    }
  }

  @Test
  void leafForAServiceTheTokenMayNotWriteIsRefusedFinallyNamingIt() {
    // web's token has service:write on web only.
    assertThatThrownBy(() -> agent.service("db", webToken).leaf())
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("db");
    // Final: asked again, the same refusal, not a retry that ends in a timeout.
    assertThatThrownBy(() -> agent.service("db", webToken).leaf())
        .isInstanceOf(PermissionDeniedException.class);
  }

  private static void record(List<String> failures, SSLContext client, TlsEcho echo) {
    try {
      String got = echo(client, echo, "ping");
      if (!got.equals("ping")) {
        failures.add("echoed " + got);
      }
    } catch (IOException e) {
      failures.add(e.toString());
    }
  }

  /** Waits, bounded by {@link #CHANGE_BOUND}, until db's decision on web is {@code allowed}. */
  private void awaitDecision(ConnectService db, ConnectService web, boolean allowed)
      throws InterruptedException {
    BlockingQueue<Intentions> changes = new LinkedBlockingQueue<>();
    CacheListener.Registration r = agent.cache().addListener(new CacheListener() {
      @Override
      public void intentionsChanged(String destination, CacheRequest request,
          Intentions intentions) {
        changes.add(intentions);
      }
    });
    try {
      long deadline = System.nanoTime() + CHANGE_BOUND.toNanos();
      while (db.authorize(web.id().spiffeId()).allowed() != allowed) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || changes.poll(left, TimeUnit.NANOSECONDS) == null) {
          throw new AssertionError("the cache did not see the intention within "
              + CHANGE_BOUND + "; decision now: " + db.authorize(web.id().spiffeId()));
        }
      }
    } finally {
      r.close();
    }
  }

  static boolean signedBy(Leaf leaf, CaRoot root) {
    byte[] akid = leaf.certificate().certificate().getExtensionValue("2.5.29.35");
    return akid != null && HexFormat.of().formatHex(akid)
        .endsWith(root.signingKeyId().replace(":", "").toLowerCase());
  }

  private static String echo(SSLContext client, TlsEcho server, String line) throws IOException {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(
        InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(TIMEOUT_MS);
      s.startHandshake();
      s.getOutputStream().write((line + "\n").getBytes(UTF_8));
      s.getOutputStream().flush();
      String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))
          .readLine();
      if (reply == null) {
        throw new SocketException("closed by db without an echo");
      }
      return reply;
    }
  }

  /** {@code db}: a TLS echo of lines on 127.0.0.1 with db's server context. */
  static final class TlsEcho implements AutoCloseable {
    private final SSLServerSocket socket;
    private final Thread thread;

    TlsEcho(SSLContext server) throws IOException {
      socket = (SSLServerSocket) server.getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(this::run, "db-echo");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void run() {
      while (!socket.isClosed()) {
        try (SSLSocket s = (SSLSocket) socket.accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
          OutputStream out = s.getOutputStream();
          for (String line; (line = in.readLine()) != null; ) {
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
          }
        } catch (IOException e) {
          // a refused client, or closed: the client side asserts
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
      thread.join(TIMEOUT_MS);
    }
  }
}
