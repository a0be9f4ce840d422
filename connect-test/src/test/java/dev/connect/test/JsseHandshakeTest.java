package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real TLS 1.3 handshakes over loopback between contexts made from test leaves: the key manager
 * presents the leaf and its chain, the JDK trust manager over the test roots accepts a correct
 * peer and refuses the broken variants. The JDK validates at the real time, so these
 * certificates are dated from the system clock.
 */
class JsseHandshakeTest {
  final TestCa root = TestCertificates.root().build();
  final ExecutorService server = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  /** What the server saw: the client's URI SAN, or why its handshake failed. */
  record Outcome(String clientUri, Throwable failure) {}

  Outcome connect(SSLContext serverContext, SSLContext clientContext) throws Exception {
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      listener.setEnabledProtocols(new String[] {"TLSv1.3"});
      Future<String> accepted = server.submit(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(10_000);
          s.startHandshake();
          X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
          s.getOutputStream().write(s.getInputStream().read());
          s.getOutputStream().flush();
          return Sans.uris(peer).toString();
        }
      });
      try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        client.setSoTimeout(10_000);
        client.setEnabledProtocols(new String[] {"TLSv1.3"});
        client.startHandshake();
        client.getOutputStream().write(7);
        client.getOutputStream().flush();
        assertThat(client.getInputStream().read()).isEqualTo(7);
      } catch (IOException e) {
        // With TLS 1.3 the client may see a refusal at its first read; the server says why.
      }
      try {
        return new Outcome(accepted.get(30, TimeUnit.SECONDS), null);
      } catch (ExecutionException e) {
        return new Outcome(null, e.getCause());
      }
    }
  }

  @Test
  void correctLeavesShakeHandsAndEachSeesTheOthersSpiffeId() throws Exception {
    TestLeaf db = root.leaf("db").build();
    TestLeaf web = root.leaf("web").build();
    Outcome outcome = connect(db.sslContext(root.certificate()),
        web.sslContext(root.certificate()));
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.clientUri()).isEqualTo("[" + web.uri().orElseThrow() + "]");
  }

  @Test
  void aLeafOfAnIntermediateSendsItsChain() throws Exception {
    TestLeaf web = root.intermediate().build().leaf("web").build();
    Outcome outcome = connect(root.leaf("db").build().sslContext(root.certificate()),
        web.sslContext(root.certificate()));
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.clientUri()).contains("/svc/web");
  }

  @Test
  void anExpiredClientIsRefused() throws Exception {
    Outcome outcome = connect(root.leaf("db").build().sslContext(root.certificate()),
        root.leaf("web").expired().build().sslContext(root.certificate()));
    assertThat(outcome.failure()).isInstanceOf(SSLException.class);
    assertThat(messages(outcome.failure())).contains("validity check failed");
  }

  @Test
  void aClientWithoutClientAuthIsRefused() throws Exception {
    Outcome outcome = connect(root.leaf("db").build().sslContext(root.certificate()),
        root.leaf("web").serverAuthOnly().build().sslContext(root.certificate()));
    assertThat(outcome.failure()).isInstanceOf(SSLException.class);
    assertThat(messages(outcome.failure()))
        .contains("Extended key usage does not permit use for TLS client authentication");
  }

  @Test
  void aClientOfAnotherRootIsRefused() throws Exception {
    TestCa other = TestCertificates.root().build();
    Outcome outcome = connect(root.leaf("db").build().sslContext(root.certificate()),
        other.leaf("web").build().sslContext(root.certificate()));
    assertThat(outcome.failure()).isInstanceOf(SSLException.class);
    assertThat(messages(outcome.failure())).contains("PKIX path");
  }

  @Test
  void aSelfSignedClientIsRefused() throws Exception {
    Outcome outcome = connect(root.leaf("db").build().sslContext(root.certificate()),
        root.leaf("web").selfSigned().build().sslContext(root.certificate()));
    assertThat(outcome.failure()).isInstanceOf(SSLException.class);
  }

  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(c.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
