package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.AgentId;
import dev.connect.core.SigningId;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The certificate of {@code connect agent}'s HTTPS listener (issue 13): the built-in CA signs an
 * agent SPIFFE ID with the DNS names and IP addresses clients reach the agent by, plus Consul's
 * loopback names, in the service leaf profile; the service CSR path still refuses agent IDs.
 */
class AgentCertificateProfileTest {
  static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";

  @Test
  void agentLeafCarriesTheAgentIdAndEveryNameClientsUse() throws Exception {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of(TD),
        CaConfiguration.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
    KeyPair keys = LeafRequests.newKeyPair();
    X509Certificate leaf = ca.signAgent(AgentCertificateRequest.of(AgentId.of(TD, "dc1", "node-1"),
        keys.getPublic(), List.of("Agent.Example.com"),
        List.of(InetAddress.getByName("10.1.2.3"))));

    List<String> sans = new ArrayList<>();
    for (List<?> san : leaf.getSubjectAlternativeNames()) {
      sans.add(san.get(0) + ":" + san.get(1));
    }
    assertThat(sans).containsExactly(
        "6:spiffe://" + TD + "/agent/client/dc/dc1/id/node-1",
        "2:localhost", "2:agent.example.com",
        "7:127.0.0.1", "7:0:0:0:0:0:0:0:1", "7:10.1.2.3");
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=node1.agnt.7f3c9a1e.consul");
    assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(CaConfiguration.defaults().leafCertTtl());
    leaf.verify(ca.rootCertificate().getPublicKey());
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
  }

  @Test
  void agentLeafOfAnotherTrustDomainIsRefused() {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of(TD),
        CaConfiguration.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
    String other = "00000000-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
    assertThatThrownBy(() -> ca.signAgent(AgentCertificateRequest.of(
        AgentId.of(other, "dc1", "n"), LeafRequests.newKeyPair().getPublic(), List.of(),
        List.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other);
  }

  @Test
  void wildcardOrMalformedDnsNameIsRefusedByName() {
    assertThatThrownBy(() -> AgentCertificateRequest.dnsName("*.example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("*.example.com");
    assertThatThrownBy(() -> AgentCertificateRequest.dnsName("a..b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a..b");
    assertThat(AgentCertificateRequest.dnsName("Agent.Example.COM.")).isEqualTo("agent.example.com");
  }

  @Test
  void providerWithoutAgentSupportSaysSo() {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(SigningId.of(TD),
        CaConfiguration.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
    CaProvider external = new CaProvider() {
      @Override public String name() { return "vault"; }
      @Override public X509Certificate rootCertificate() { return ca.rootCertificate(); }
      @Override public List<X509Certificate> intermediates() { return List.of(); }
      @Override public X509Certificate sign(CertificateRequest request) { return ca.sign(request); }
      @Override public boolean supportsCrossSigning() { return false; }
      @Override public X509Certificate crossSign(X509Certificate newRoot) {
        throw new UnsupportedOperationException("supportsCrossSigning() is false");
      }
    };
    assertThatThrownBy(() -> external.signAgent(AgentCertificateRequest.of(
        AgentId.of(TD, "dc1", "n"), LeafRequests.newKeyPair().getPublic(), List.of(), List.of())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("vault")
        .hasMessageContaining("/agent/client/dc/dc1/id/n");
  }
}
