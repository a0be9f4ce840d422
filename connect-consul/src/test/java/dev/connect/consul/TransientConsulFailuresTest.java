package dev.connect.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: which Consul failures the agent's cache may retry on a first load. A new leader's
 * 500 "CA is uninitialized", a 429 and a refused connection are transient; a 404, a malformed
 * body and a server certificate the handshake rejected are not.
 */
class TransientConsulFailuresTest {
  private static final String LEAF = "GET http://127.0.0.1:8500/v1/agent/connect/ca/leaf/web";

  @Test
  void serverErrorsTooManyRequestsAndUnreachableAreTransient() {
    assertThat(new ConsulHttpException(LEAF, 500, "CA is uninitialized and unable to sign"
        + " certificates yet: provider is nil").isTransient()).isTrue();
    assertThat(new ConsulHttpException(LEAF, 429, "Your IP is issuing too many concurrent"
        + " connections, please rate limit your calls").isTransient()).isTrue();
    assertThat(new ConsulHttpException(LEAF, 0, "connection refused",
        new ConnectException("Connection refused")).isTransient()).isTrue();
  }

  @Test
  void notFoundMalformedBodiesAndRejectedCertificatesAreFinal() {
    assertThat(new ConsulHttpException(LEAF, 404, "Invalid URL path").isTransient()).isFalse();
    assertThat(new ConsulHttpException(LEAF, 200, "malformed body: x",
        new IllegalArgumentException("x")).isTransient()).isFalse();
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(new CertificateException("unable to find valid certification path"));
    assertThat(new ConsulHttpException(LEAF, 0, "TLS failure", handshake).isTransient())
        .isFalse();
  }
}
