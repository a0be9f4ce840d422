package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.ca.LeafRequests;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.ServiceId;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our own endpoint (issue 13): a caller in another process sends a CSR and keeps its private key;
 * the same ACL rule as Consul's leaf endpoint applies, and {@code /v1/agent/self} names it.
 */
class CsrSignAndSelfTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aCallersCsrIsSignedAndItsKeyNeverTravels() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      KeyPair keys = LeafRequests.newKeyPair();
      String csr = LeafRequests.csrPem(ServiceId.of(f.agent.trustDomain(), "dc1", "web"), keys);

      HttpResponse<String> r = f.send("POST", Endpoints.CSR_SIGN_PATH, csr);

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Consul-Index")).isPresent();
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.has("PrivateKeyPEM")).isFalse();
      assertThat(body.get("Service").asText()).isEqualTo("web");
      assertThat(body.get("ServiceURI").asText())
          .isEqualTo("spiffe://" + f.agent.trustDomain() + "/ns/default/dc/dc1/svc/web");
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(body.get("CertPEM").asText()
              .getBytes(StandardCharsets.US_ASCII)));
      assertThat(cert.getPublicKey()).isEqualTo(keys.getPublic());
    }
  }

  @Test
  void aBodyThatIsNoCsrIsA400NamingIt() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.send("POST", Endpoints.CSR_SIGN_PATH, "{\"CSR\":1}");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("CERTIFICATE REQUEST").contains("9 bytes");
      HttpResponse<String> bad = f.send("POST", Endpoints.CSR_SIGN_PATH,
          "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
      assertThat(bad.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void csrSigningNeedsServiceWriteAsTheLeafEndpointDoes() throws Exception {
    try (AgentFixture f = new AgentFixture(dir,
        b -> b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY))) {
      AclToken admin = f.agent.acl().bootstrap();
      f.agent.acl(admin.revealSecretId()).createPolicy("web-write", "", "service \"web\" { policy ="
          + " \"write\" }");
      AclToken web = f.agent.acl(admin.revealSecretId()).createToken("web", List.of("web-write"));
      KeyPair keys = LeafRequests.newKeyPair();
      String webCsr = LeafRequests.csrPem(ServiceId.of(f.agent.trustDomain(), "dc1", "web"), keys);
      String dbCsr = LeafRequests.csrPem(ServiceId.of(f.agent.trustDomain(), "dc1", "db"), keys);

      assertThat(f.send("POST", Endpoints.CSR_SIGN_PATH, webCsr).statusCode()).isEqualTo(403);
      assertThat(f.get("/v1/agent/connect/ca/leaf/web").statusCode()).isEqualTo(403);
      assertThat(f.send("POST", Endpoints.CSR_SIGN_PATH, dbCsr,
          "X-Consul-Token", web.revealSecretId()).statusCode()).isEqualTo(403);
      assertThat(f.get("/v1/agent/connect/ca/leaf/db", "X-Consul-Token", web.revealSecretId())
          .statusCode()).isEqualTo(403);
      assertThat(f.send("POST", Endpoints.CSR_SIGN_PATH, webCsr,
          "Authorization", "Bearer " + web.revealSecretId()).statusCode()).isEqualTo(200);
      assertThat(f.get("/v1/agent/connect/ca/leaf/web?token=" + web.revealSecretId()).statusCode())
          .isEqualTo(200);
      HttpResponse<String> denied = f.get("/v1/agent/connect/ca/leaf/web");
      assertThat(denied.headers().firstValue("X-Consul-Default-Acl-Policy")).hasValue("deny");
      assertThat(denied.body()).startsWith("Permission denied");
    }
  }

  @Test
  void agentSelfNamesTheCsrEndpoint() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.get("/v1/agent/self");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.get("Config").get("Datacenter").asText()).isEqualTo("dc1");
      assertThat(body.get("Meta").get(Endpoints.CSR_SIGN_META).asText())
          .isEqualTo(Endpoints.CSR_SIGN_PATH);
    }
  }
}
