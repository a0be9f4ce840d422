package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
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
          return TestCertificates.uriSans(peer).toString();
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
  void rsaAndP384LeavesShakeHandsToo() throws Exception {
    TestCa rsaRoot = TestCertificates.root().rsa2048().build();
    Outcome outcome = connect(rsaRoot.leaf("db").rsa2048().build()
        .sslContext(rsaRoot.certificate()), rsaRoot.leaf("web").ecP384().build()
        .sslContext(rsaRoot.certificate()));
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.clientUri()).contains("/svc/web");
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

  @Test
  void onFakeTimeClockedTrustManagersShakeHandsUntilTheLeafExpires() throws Exception {
    FakeTime time = FakeTime.create(); // 2030: the real clock would call every leaf not valid
    TestCa fakeRoot = TestCertificates.root().clock(time).build();
    TestLeaf db = fakeRoot.leaf("db").build();
    TestLeaf web = fakeRoot.leaf("web").build();
    SSLContext server = db.sslContext(time, fakeRoot.certificate());
    SSLContext client = web.sslContext(time, fakeRoot.certificate());

    Outcome fresh = connect(server, client);
    assertThat(fresh.failure()).isNull();
    assertThat(fresh.clientUri()).isEqualTo("[" + web.uri().orElseThrow() + "]");

    time.advance(Duration.ofHours(72));
    // The server renewed its leaf; the client did not.
    SSLContext renewedServer = fakeRoot.leaf("db").build().sslContext(time,
        fakeRoot.certificate());
    Outcome late = connect(renewedServer, client);
    assertThat(late.failure()).isInstanceOf(SSLException.class);
    assertThat(messages(late.failure())).contains("is not valid at 2030-01-04T00:00:00Z",
        "validity check failed", "/svc/web");
  }

  @Test
  void clockedTrustManagerChecksTheRolesExtendedKeyUsage() throws Exception {
    FakeTime time = FakeTime.create();
    TestCa fakeRoot = TestCertificates.root().clock(time).build();
    Outcome outcome = connect(fakeRoot.leaf("db").build().sslContext(time,
        fakeRoot.certificate()), fakeRoot.leaf("web").serverAuthOnly().build()
        .sslContext(time, fakeRoot.certificate()));
    assertThat(outcome.failure()).isInstanceOf(SSLException.class);
    assertThat(messages(outcome.failure())).contains("does not allow clientAuth: extended key"
        + " usage [1.3.6.1.5.5.7.3.1]");
  }

  @Test
  void clockedTrustManagerAcceptsALeafThatCarriesACrossSignedRootItDoesNotNeed()
      throws Exception {
    FakeTime time = FakeTime.create();
    TestCa oldRoot = TestCertificates.root().clock(time).build();
    TestCa newRoot = TestCertificates.root(oldRoot.trustDomain()).clock(time).build();
    TestLeaf web = newRoot.crossSignedBy(oldRoot).leaf("web").build();
    X509ExtendedTrustManager trustsNew = TestCertificates.trustManager(time,
        newRoot.certificate());
    X509ExtendedTrustManager trustsOld = TestCertificates.trustManager(time,
        oldRoot.certificate());
    X509Certificate[] chain = web.chain().toArray(new X509Certificate[0]);
    assertThat(chain).hasSize(2);
    trustsNew.checkClientTrusted(chain, "ECDHE_ECDSA");
    trustsOld.checkClientTrusted(chain, "ECDHE_ECDSA");
    assertThatThrownBy(() -> TestCertificates.trustManager(time, TestCertificates.root()
        .clock(time).build().certificate()).checkClientTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("was issued by a trusted root");
    assertThat(trustsOld.getAcceptedIssuers()).containsExactly(oldRoot.certificate());
  }

  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(c.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
