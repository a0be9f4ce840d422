package dev.connect.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.cache.Leaf;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS 1.2 with {@code openssl s_client}'s default options, which offer a session ticket (issue
 * 11, item 4). SunJSSE's server used to agree to the ticket in its ServerHello; the trust manager
 * then invalidated the session (so that it can never be resumed past authorization), and SunJSSE
 * left out the NewSessionTicket it had promised: the client failed with {@code
 * unexpected_message}. Server contexts on the JDK stack are now made without ticket support.
 *
 * <p>Every stack and Netty provider is tried with the client's default options and with {@code
 * -no_ticket}, and with a saved session ({@code -sess_out}/{@code -sess_in}): the server never
 * resumes, so a client denied after its first connection cannot get back in with its session.
 * Clients covered: OpenSSL's; curl and Go are not installed here (curl and Go offer tickets by
 * default just as OpenSSL does).
 */
class Tls12DefaultClientOptionsTest extends NettyTestBase {
  private static final String OPENSSL = "/usr/bin/openssl";
  private Path files;

  @BeforeEach
  void requireOpenssl() throws IOException {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl is not installed");
    files = Files.createDirectory(dir.resolve("pem"));
  }

  @ParameterizedTest
  @CsvSource({"JDK, ''", "JDK, -no_ticket", "BOUNCY_CASTLE, ''", "BOUNCY_CASTLE, -no_ticket"})
  void sClientTls12WithDefaultOptionsGetsThroughOnEveryJsseStack(TlsStack stack, String option)
      throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server = new Peers.GreetingServer(jsseDb(stack), "db")) {
      // -ign_eof: s_client reads until the greeting server closes, so the greeting is seen.
      String out = sClientTls12(server.port(), option, "-ign_eof");
      assertConnectedAsNewSession(out);
      assertThat(out).contains("hello from db");
      assertThat(server.next().failure()).isNull();
    }
  }

  @ParameterizedTest
  @CsvSource({"JDK, ''", "JDK, -no_ticket", "OPENSSL, ''", "OPENSSL, -no_ticket"})
  void sClientTls12WithDefaultOptionsGetsThroughOnEveryNettyProvider(SslProvider provider,
      String option) throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, nettyDb(provider),
        "db")) {
      String out = sClientTls12(server.port(), option);
      assertConnectedAsNewSession(out);
      assertThat(server.next().failure()).isNull();
    }
  }

  @ParameterizedTest
  @CsvSource({"JDK", "BOUNCY_CASTLE"})
  void deniedSClientCannotResumeItsSavedTls12SessionOnAJsseStack(TlsStack stack)
      throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server = new Peers.GreetingServer(jsseDb(stack), "db")) {
      Path session = files.resolve("session.pem");
      assertConnectedAsNewSession(sClientTls12(server.port(), "-sess_out", session.toString()));
      assertThat(server.next().failure()).isNull();
      savedSessionIsRefusedThenDenied(server.port(), session, server::next);
    }
  }

  @ParameterizedTest
  @CsvSource({"JDK", "OPENSSL"})
  void deniedSClientCannotResumeItsSavedTls12SessionOnANettyProvider(SslProvider provider)
      throws Exception {
    assumeAvailable(provider);
    f.intention("web", "db", IntentionAction.ALLOW);
    try (NettyPeers.EchoServer server = new NettyPeers.EchoServer(group, nettyDb(provider),
        "db")) {
      Path session = files.resolve("session.pem");
      assertConnectedAsNewSession(sClientTls12(server.port(), "-sess_out", session.toString()));
      assertThat(server.next().failure()).isNull();
      if (provider == SslProvider.OPENSSL) {
        // BoringSSL, with no session cache and no tickets, gives no session ID: there is
        // nothing for s_client to save, let alone resume.
        assertThat(session).doesNotExist();
        f.intention("web", "db", IntentionAction.DENY);
        // BoringSSL answers a refusal with internal_error.
        assertThat(sClientTls12(server.port())).contains("SSL alert number");
        assertThat(Peers.messages(server.next().failure())).contains("authz denied");
        return;
      }
      savedSessionIsRefusedThenDenied(server.port(), session, server::next);
    }
  }

  /** The server's next accepted connection, {@link Peers.Accepted} on either stack. */
  @FunctionalInterface
  private interface NextAccepted {
    Peers.Accepted next() throws InterruptedException;
  }

  /**
   * With the session saved in {@code session} while allowed: offering it again is refused (a
   * full handshake, still allowed); after a deny, offering it fails the handshake as denied.
   */
  private void savedSessionIsRefusedThenDenied(int port, Path session, NextAccepted server)
      throws Exception {
    assertThat(session).isNotEmptyFile();
    assertConnectedAsNewSession(sClientTls12(port, "-sess_in", session.toString()));
    assertThat(server.next().failure()).isNull();

    f.intention("web", "db", IntentionAction.DENY);

    assertThat(sClientTls12(port, "-sess_in", session.toString()))
        .contains("alert certificate unknown").doesNotContain("Reused,");
    assertThat(Peers.messages(server.next().failure())).contains("authz denied");
  }

  /**
   * Asserts that s_client completed a TLS 1.2 handshake that resumed nothing. (The servers greet
   * after the handshake, which can come after s_client, reading an empty standard input, has
   * closed: the tests judge by the session s_client printed, not by the greeting.)
   */
  private static void assertConnectedAsNewSession(String out) {
    assertThat(out).contains("New, TLSv1.2").contains("Verify return code: 0 (ok)")
        .doesNotContain("Reused,").doesNotContain("unexpected message");
  }

  private SSLContext jsseDb(TlsStack stack) {
    return ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).tls12Allowed()
        .clock(f.time).sslContext();
  }

  private io.netty.handler.ssl.SslContext nettyDb(SslProvider provider) {
    return ConnectNettyTls.forServer(ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).tls12Allowed().clock(f.time))
        .provider(provider).build();
  }

  /**
   * Runs {@code openssl s_client -tls1_2} as web, without {@code -quiet} so that it prints the
   * session it got, and returns everything it printed. Standard input is empty: the client
   * closes once it has read what the server sent first (or at once, if the handshake failed).
   */
  private String sClientTls12(int port, String... options) throws Exception {
    Leaf web = f.cache.leaf("web", f.request);
    Path roots = f.writeRoots(files.resolve("roots.pem"));
    List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_client", "-connect",
        "127.0.0.1:" + port, "-tls1_2", "-CAfile", roots.toString(), "-verify_return_error",
        "-cert", write("web.pem", web.chain().get(0)), "-key", writeKey(web)));
    for (String option : options) {
      if (!option.isEmpty()) {
        cmd.add(option);
      }
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(new File("/dev/null")).start();
    try {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).get(30, TimeUnit.SECONDS); // hang guard
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private String write(String name, X509Certificate cert) throws Exception {
    Path p = files.resolve(name);
    Files.writeString(p, TlsFixture.pem("CERTIFICATE", cert.getEncoded()), US_ASCII);
    return p.toString();
  }

  private String writeKey(Leaf leaf) throws IOException {
    Path p = files.resolve("web.key");
    // Test material only: the key is written so that OpenSSL can present it.
    Files.writeString(p, TlsFixture.pem("PRIVATE KEY", leaf.privateKey().getEncoded()), US_ASCII);
    return p.toString();
  }

}
