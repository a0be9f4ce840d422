package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ACL rules of {@code connect agent}'s agent endpoints, as Consul's agent enforces them
 * (issue 13): {@code POST /v1/agent/connect/authorize} needs {@code service:write} on the target
 * (it checked only {@code intentions:read}, through the cache), and {@code GET /v1/agent/self}
 * needs {@code agent:read} (it needed nothing).
 */
class AgentAclRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static String authorizeBody(AgentFixture f, String target, String source) {
    return "{\"Target\":\"" + target + "\",\"ClientCertURI\":\"spiffe://" + f.agent.trustDomain()
        + "/ns/default/dc/dc1/svc/" + source + "\",\"ClientCertSerial\":\"01\"}";
  }

  private static AgentFixture withAcls(Path dir) throws Exception {
    return new AgentFixture(dir, b -> b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY));
  }

  @Test
  void authorizeWithOnlyServiceReadOnTheTargetIsDenied() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      AclToken admin = f.agent.acl().bootstrap();
      var acl = f.agent.acl(admin.revealSecretId());
      acl.createPolicy("web-read", "", "service \"web\" { policy = \"read\" }");
      acl.createPolicy("web-write", "", "service \"web\" { policy = \"write\" }");
      AclToken reader = acl.createToken("reads web", List.of("web-read"));
      AclToken writer = acl.createToken("writes web", List.of("web-write"));

      // service:read implies intentions:read, which was all the cache needed.
      HttpResponse<String> denied = f.send("POST", "/v1/agent/connect/authorize",
          authorizeBody(f, "web", "api"), "X-Consul-Token", reader.revealSecretId());
      HttpResponse<String> allowed = f.send("POST", "/v1/agent/connect/authorize",
          authorizeBody(f, "web", "api"), "X-Consul-Token", writer.revealSecretId());

      assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
      assertThat(denied.body()).startsWith("Permission denied").contains("service:write")
          .contains(reader.accessorId()).doesNotContain(reader.revealSecretId());
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      assertThat(JSON.readTree(allowed.body()).get("Reason").asText())
          .isEqualTo("Default behavior configured by ACLs");
    }
  }

  @Test
  void authorizeWithAnUnknownTokenIsAclNotFound() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      f.agent.acl().bootstrap();
      HttpResponse<String> r = f.send("POST", "/v1/agent/connect/authorize",
          authorizeBody(f, "web", "api"), "X-Consul-Token",
          "00000000-1111-2222-3333-444444444444");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).isEqualTo("ACL not found");
    }
  }

  @Test
  void authorizeWithoutAclsNeedsNoToken() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.send("POST", "/v1/agent/connect/authorize",
          authorizeBody(f, "web", "api"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("Authorized").asBoolean()).isTrue();
    }
  }

  @Test
  void agentSelfWithoutAgentReadIsDenied() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      AclToken admin = f.agent.acl().bootstrap();
      var acl = f.agent.acl(admin.revealSecretId());
      acl.createPolicy("agent-read", "", "agent \"" + Endpoints.NODE_NAME
          + "\" { policy = \"read\" }");
      acl.createPolicy("web-write", "", "service \"web\" { policy = \"write\" }");
      AclToken agentReader = acl.createToken("reads the agent", List.of("agent-read"));
      AclToken web = acl.createToken("web", List.of("web-write"));

      HttpResponse<String> anonymous = f.get("/v1/agent/self");
      HttpResponse<String> other = f.get("/v1/agent/self", "X-Consul-Token",
          web.revealSecretId());
      HttpResponse<String> allowed = f.get("/v1/agent/self", "X-Consul-Token",
          agentReader.revealSecretId());

      assertThat(anonymous.statusCode()).isEqualTo(403);
      assertThat(anonymous.body()).startsWith("Permission denied").contains("agent:read");
      assertThat(other.statusCode()).isEqualTo(403);
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      assertThat(JSON.readTree(allowed.body()).get("Meta").get(Endpoints.CSR_SIGN_META)
          .asText()).isEqualTo(Endpoints.CSR_SIGN_PATH);
      assertThat(f.get("/v1/agent/self", "X-Consul-Token", admin.revealSecretId())
          .statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aclEndpointsWithoutAclsAre401AclSupportDisabled() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      for (String[] call : List.of(new String[] {"PUT", "/v1/acl/bootstrap", null},
          new String[] {"GET", "/v1/acl/policies", null},
          new String[] {"GET", "/v1/acl/tokens", null},
          new String[] {"GET", "/v1/acl/token/self", null},
          new String[] {"PUT", "/v1/acl/policy", "{\"Name\":\"x\",\"Rules\":\"\"}"})) {
        HttpResponse<String> r = f.send(call[0], call[1], call[2]);
        assertThat(r.statusCode()).as(call[1]).isEqualTo(401);
        assertThat(r.body()).as(call[1]).isEqualTo("ACL support disabled");
        assertThat(r.headers().firstValue("X-Consul-Default-Acl-Policy")).hasValue("allow");
      }
    }
  }

  @Test
  void bootstrapIsAllowedOnceAndItsSecretIsNeverReadBack() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      HttpResponse<String> first = f.send("PUT", "/v1/acl/bootstrap", null);
      HttpResponse<String> again = f.send("PUT", "/v1/acl/bootstrap", null);

      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
      JsonNode token = JSON.readTree(first.body());
      String secret = token.get("SecretID").asText();
      assertThat(token.get("Policies").get(0).get("Name").asText())
          .isEqualTo("global-management");
      assertThat(token.get("CreateIndex").asLong()).isPositive();
      assertThat(again.statusCode()).isEqualTo(403);
      assertThat(again.body()).startsWith("Permission denied: ACL bootstrap no longer allowed"
          + " (reset index: ");

      HttpResponse<String> self = f.get("/v1/acl/token/self", "X-Consul-Token", secret);
      HttpResponse<String> read = f.get("/v1/acl/token/" + token.get("AccessorID").asText(),
          "X-Consul-Token", secret);
      HttpResponse<String> list = f.get("/v1/acl/tokens", "X-Consul-Token", secret);
      for (HttpResponse<String> r : List.of(self, read, list)) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(secret).doesNotContain("SecretID");
        assertThat(r.headers().firstValue("X-Consul-Index")).isPresent();
      }
    }
  }

  @Test
  void policiesAndTokensAreCreatedReadUpdatedAndDeleted() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      String admin = f.agent.acl().bootstrap().revealSecretId();
      String[] auth = {"X-Consul-Token", admin};
      JsonNode policy = JSON.readTree(f.send("PUT", "/v1/acl/policy",
          "{\"Name\":\"web-write\",\"Description\":\"web\",\"Rules\":\"service \\\"web\\\" {"
              + " policy = \\\"write\\\" }\"}", auth).body());
      String id = policy.get("ID").asText();

      assertThat(JSON.readTree(f.get("/v1/acl/policy/name/web-write", auth).body())
          .get("ID").asText()).isEqualTo(id);
      HttpResponse<String> updated = f.send("PUT", "/v1/acl/policy/" + id,
          "{\"ID\":\"" + id + "\",\"Name\":\"web-write\",\"Rules\":\"service \\\"web\\\" {"
              + " policy = \\\"read\\\" }\"}", auth);
      assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
      assertThat(JSON.readTree(f.get("/v1/acl/policy/" + id, auth).body()).get("Rules").asText())
          .contains("read");

      JsonNode token = JSON.readTree(f.send("PUT", "/v1/acl/token",
          "{\"Description\":\"web\",\"Policies\":[{\"ID\":\"" + id + "\"}]}", auth).body());
      String accessor = token.get("AccessorID").asText();
      assertThat(token.get("Policies").get(0).get("Name").asText()).isEqualTo("web-write");
      HttpResponse<String> tokenUpdated = f.send("PUT", "/v1/acl/token/" + accessor,
          "{\"Description\":\"no policies\"}", auth);
      assertThat(tokenUpdated.statusCode()).as(tokenUpdated.body()).isEqualTo(200);
      assertThat(JSON.readTree(tokenUpdated.body()).has("Policies")).isFalse();
      assertThat(tokenUpdated.body()).doesNotContain("SecretID");

      assertThat(f.send("DELETE", "/v1/acl/token/" + accessor, null, auth).body())
          .isEqualTo("true");
      assertThat(f.send("DELETE", "/v1/acl/policy/" + id, null, auth).body()).isEqualTo("true");
      // Consul answers true whether or not it existed, and 403 ACL not found on a read.
      assertThat(f.send("DELETE", "/v1/acl/policy/" + id, null, auth).body()).isEqualTo("true");
      HttpResponse<String> gone = f.get("/v1/acl/policy/" + id, auth);
      assertThat(gone.statusCode()).isEqualTo(403);
      assertThat(gone.body()).isEqualTo("ACL not found");
      HttpResponse<String> goneToken = f.get("/v1/acl/token/" + accessor, auth);
      assertThat(goneToken.statusCode()).isEqualTo(403);
      assertThat(goneToken.body()).isEqualTo("ACL not found");
    }
  }

  @Test
  void malformedIdsAndUnsupportedFieldsAre400sNamingThem() throws Exception {
    try (AgentFixture f = withAcls(dir)) {
      String admin = f.agent.acl().bootstrap().revealSecretId();
      String[] auth = {"X-Consul-Token", admin};

      HttpResponse<String> badId = f.get("/v1/acl/policy/not-a-uuid", auth);
      HttpResponse<String> badToken = f.send("DELETE", "/v1/acl/token/xyz", null, auth);
      HttpResponse<String> identities = f.send("PUT", "/v1/acl/token",
          "{\"ServiceIdentities\":[{\"ServiceName\":\"web\"}]}", auth);
      HttpResponse<String> badJson = f.send("PUT", "/v1/acl/policy", "{\"Name\":", auth);
      HttpResponse<String> unknownPolicy = f.send("PUT", "/v1/acl/token",
          "{\"Policies\":[{\"Name\":\"nope\"}]}", auth);
      HttpResponse<String> mismatch = f.send("PUT",
          "/v1/acl/policy/11111111-2222-3333-4444-555555555555",
          "{\"ID\":\"11111111-2222-3333-4444-666666666666\",\"Name\":\"x\"}", auth);

      assertThat(badId.statusCode()).isEqualTo(400);
      assertThat(badId.body()).contains("not-a-uuid");
      assertThat(badToken.statusCode()).isEqualTo(400);
      assertThat(badToken.body()).contains("xyz");
      assertThat(identities.statusCode()).isEqualTo(400);
      assertThat(identities.body()).contains("ServiceIdentities").contains("web");
      assertThat(badJson.statusCode()).isEqualTo(400);
      assertThat(badJson.body()).startsWith("Bad request: Policy decoding failed: ");
      assertThat(unknownPolicy.statusCode()).isEqualTo(400);
      assertThat(unknownPolicy.body()).contains("nope");
      assertThat(mismatch.statusCode()).isEqualTo(400);
      assertThat(mismatch.body()).contains("do not match");
    }
  }
}
