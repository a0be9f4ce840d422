package dev.connect.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.cache.Leaf;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS 1.2 with {@code openssl s_client}'s default options, which offer a session ticket (issue
 * 11, item 4). SunJSSE's server agrees to the ticket in its ServerHello; the trust manager then
 * invalidates the session (so that it can never be resumed past authorization), and SunJSSE
 * leaves out the NewSessionTicket it promised: the client fails with {@code unexpected_message}.
 * BouncyCastle's JSSE promises no ticket and works; so does {@code -no_ticket} on the JDK stack.
 */
class Tls12DefaultClientOptionsTest extends TlsFixtureTestBase {
  private static final String OPENSSL = "/usr/bin/openssl";
  private Path files;

  @BeforeEach
  void requireOpenssl() throws IOException {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "openssl is not installed");
    files = Files.createDirectory(dir.resolve("pem"));
  }

  @ParameterizedTest
  @CsvSource({"BOUNCY_CASTLE, ''", "BOUNCY_CASTLE, -no_ticket", "JDK, -no_ticket"})
  void sClientTls12GetsThrough(TlsStack stack, String option) throws Exception {
    assertThat(sClientTls12(stack, option)).contains("hello from db");
  }

  @Disabled("issue 11 item 4 is open: SunJSSE promises a TLS 1.2 ticket and, the session being"
      + " invalidated by the trust manager, never sends it; see the class description")
  @ParameterizedTest
  @CsvSource({"JDK, ''"})
  void sClientTls12WithDefaultOptionsGetsThroughOnTheJdkStack(TlsStack stack, String option)
      throws Exception {
    assertThat(sClientTls12(stack, option)).contains("hello from db");
  }

  private String sClientTls12(TlsStack stack, String option) throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    SSLContext db = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).tls12Allowed()
        .clock(f.time).sslContext();
    Leaf web = f.cache.leaf("web", f.request);
    try (Peers.GreetingServer server = new Peers.GreetingServer(db, "db")) {
      List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_client", "-connect",
          "127.0.0.1:" + server.port(), "-tls1_2", "-CAfile", roots().toString(),
          "-verify_return_error", "-quiet", "-cert", write("web.pem", web.chain().get(0)),
          "-key", writeKey(web)));
      if (!option.isEmpty()) {
        cmd.add(option);
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
  }

  private Path roots() throws Exception {
    StringBuilder b = new StringBuilder();
    for (X509Certificate root : f.cache.roots(f.request).certificates()) {
      b.append(pem("CERTIFICATE", root.getEncoded()));
    }
    Path p = files.resolve("roots.pem");
    Files.writeString(p, b, US_ASCII);
    return p;
  }

  private String write(String name, X509Certificate cert) throws Exception {
    Path p = files.resolve(name);
    Files.writeString(p, pem("CERTIFICATE", cert.getEncoded()), US_ASCII);
    return p.toString();
  }

  private String writeKey(Leaf leaf) throws IOException {
    Path p = files.resolve("web.key");
    // Test material only: the key is written so that OpenSSL can present it.
    Files.writeString(p, pem("PRIVATE KEY", leaf.privateKey().getEncoded()), US_ASCII);
    return p.toString();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
