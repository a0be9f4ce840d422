package dev.connect.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Service registration in {@code connect agent} beyond the recorded samples (issue 13): Consul's
 * ACL rules (service:write to register, reads filtered by service:read and node:read), blocking
 * reads on {@code index} and {@code hash} that a write wakes and whose wait elapses on the
 * agent's scheduler, deregistration with the sidecar, and a 400 naming the value for bad input.
 */
class ServiceEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEB = "{\"ID\":\"web-1\",\"Name\":\"web\",\"Port\":8080,"
      + "\"Address\":\"127.0.0.1\",\"Connect\":{\"Native\":true}}";
  private static final String DB = "{\"ID\":\"db-1\",\"Name\":\"db\",\"Port\":5432,"
      + "\"Connect\":{\"SidecarService\":{}}}";

  @TempDir Path dir;

  private static void register(AgentFixture f, String body, String... headers) throws Exception {
    HttpResponse<String> r = f.send("PUT", "/v1/agent/service/register", body, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void registeringAndListingFollowConsulsAclRules() throws Exception {
    try (AgentFixture f = new AgentFixture(dir,
        b -> b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY))) {
      AclToken admin = f.agent.acl().bootstrap();
      f.agent.acl(admin.revealSecretId()).createPolicy("web-write", "",
          "service \"web\" { policy = \"write\" }");
      f.agent.acl(admin.revealSecretId()).createPolicy("web-read-node", "",
          "service \"web\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
      String web = f.agent.acl(admin.revealSecretId()).createToken("web",
          List.of("web-write")).revealSecretId();
      String reader = f.agent.acl(admin.revealSecretId()).createToken("reader",
          List.of("web-read-node")).revealSecretId();

      // acl-agent-service-register-db-web-token.json: the one 403 naming the permission.
      HttpResponse<String> db = f.send("PUT", "/v1/agent/service/register",
          "{\"Name\":\"db\",\"ID\":\"db-acl\",\"Port\":5433}", "X-Consul-Token", web);
      assertThat(db.statusCode()).isEqualTo(403);
      assertThat(db.body()).isEqualTo("Permission denied: Missing service:write on db");
      assertThat(f.send("PUT", "/v1/agent/service/register", WEB).statusCode()).isEqualTo(403);
      register(f, WEB, "X-Consul-Token", web);
      register(f, DB, "X-Consul-Token", admin.revealSecretId());

      // acl-agent-services-no-token.json: filtered, not refused.
      assertThat(f.get("/v1/agent/services").body()).isEqualTo("{}");
      assertThat(JSON.readTree(f.get("/v1/agent/services", "X-Consul-Token", web).body())
          .fieldNames()).toIterable().containsExactly("web-1");
      assertThat(f.get("/v1/agent/service/db-1", "X-Consul-Token", web).statusCode())
          .isEqualTo(403);
      HttpResponse<String> unknown = f.get("/v1/agent/services", "X-Consul-Token",
          "00000000-0000-4000-8000-000000000099");
      assertThat(unknown.statusCode()).isEqualTo(403);
      assertThat(unknown.body()).isEqualTo("ACL not found");

      // acl-health-connect-web-web-token.json: service:read is not enough without node:read.
      assertThat(f.get("/v1/health/connect/web", "X-Consul-Token", web).body()).isEqualTo("[]");
      assertThat(f.get("/v1/catalog/connect/web", "X-Consul-Token", web).body())
          .isEqualTo("[]");
      assertThat(f.get("/v1/health/connect/web").body()).isEqualTo("[]");
      assertThat(JSON.readTree(f.get("/v1/health/connect/web", "X-Consul-Token", reader)
          .body())).hasSize(1);
      assertThat(JSON.readTree(f.get("/v1/catalog/connect/web", "X-Consul-Token", reader)
          .body())).hasSize(1);

      // Deregistering needs service:write on the service too; the token comes first.
      HttpResponse<String> badToken = f.send("PUT", "/v1/agent/service/deregister/nope", null,
          "X-Consul-Token", "00000000-0000-4000-8000-000000000099");
      assertThat(badToken.statusCode()).isEqualTo(403);
      assertThat(badToken.body()).isEqualTo("ACL not found");
      assertThat(f.send("PUT", "/v1/agent/service/deregister/db-1", null, "X-Consul-Token", web)
          .statusCode()).isEqualTo(403);
      assertThat(f.send("PUT", "/v1/agent/service/deregister/web-1", null,
          "X-Consul-Token", web).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aBlockingHealthReadIsWokenByARegistrationOfTheService() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> first = f.get("/v1/health/connect/db");
      assertThat(first.body()).isEqualTo("[]");
      long index = Long.parseLong(first.headers().firstValue("X-Consul-Index").orElseThrow());
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/health/connect/db?index=" + index, null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      register(f, WEB); // another service: as Consul's per-service index, no wake-up
      assertThat(f.server.waitingQueries()).isEqualTo(1);
      assertThat(waiting).isNotDone();
      register(f, DB);

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      assertThat(Long.parseLong(woken.headers().firstValue("X-Consul-Index").orElseThrow()))
          .isGreaterThan(index);
      JsonNode entries = JSON.readTree(woken.body());
      assertThat(entries).hasSize(1);
      assertThat(entries.get(0).get("Service").get("ID").asText())
          .isEqualTo("db-1-sidecar-proxy");
      assertThat(entries.get(0).get("Service").get("Port").asInt()).isEqualTo(21000);
    }
  }

  @Test
  void aBlockingHealthReadWithTheIndexUnchangedReturnsWhenItsWaitElapses() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      register(f, DB);
      HttpResponse<String> first = f.get("/v1/health/connect/db");
      String index = first.headers().firstValue("X-Consul-Index").orElseThrow();
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/health/connect/db?index=" + index + "&wait=2s", null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      f.scheduler.advance(Duration.ofSeconds(1));
      assertThat(waiting).isNotDone();
      f.scheduler.advance(Duration.ofSeconds(1)); // the fixture's jitter is 0

      HttpResponse<String> answered = waiting.get(20, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.headers().firstValue("X-Consul-Index")).hasValue(index);
      assertThat(answered.body()).isEqualTo(first.body());
      assertThat(f.server.waitingQueries()).isZero();
    }
  }

  @Test
  void aHashBlockingServiceReadWaitsForAChangeOfThatService() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      register(f, WEB);
      HttpResponse<String> first = f.get("/v1/agent/service/web-1");
      String hash = first.headers().firstValue("X-Consul-Contenthash").orElseThrow();
      CompletableFuture<HttpResponse<String>> waiting =
          f.sendAsync("GET", "/v1/agent/service/web-1?hash=" + hash, null);
      f.server.waiters().whenWaiting(1).get(20, TimeUnit.SECONDS);
      assertThat(waiting).isNotDone();

      register(f, DB); // another service: web-1's hash is unchanged, the read waits on
      assertThat(f.server.waitingQueries()).isEqualTo(1);
      register(f, WEB.replace("8080", "8081"));

      HttpResponse<String> woken = waiting.get(20, TimeUnit.SECONDS);
      assertThat(woken.headers().firstValue("X-Consul-Contenthash")).isPresent()
          .isNotEqualTo(java.util.Optional.of(hash));
      assertThat(JSON.readTree(woken.body()).get("Port").asInt()).isEqualTo(8081);
      // A hash that is not the current one answers at once.
      assertThat(f.get("/v1/agent/service/web-1?hash=" + hash).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void deregisteringAServiceRemovesItsSidecarAndAnUnknownIdIsA404() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      register(f, DB);
      assertThat(JSON.readTree(f.get("/v1/agent/services").body())).hasSize(2);
      assertThat(f.send("PUT", "/v1/agent/service/deregister/db-1", null).statusCode())
          .isEqualTo(200);
      assertThat(f.get("/v1/agent/services").body()).isEqualTo("{}");
      HttpResponse<String> again = f.send("PUT", "/v1/agent/service/deregister/db-1", null);
      assertThat(again.statusCode()).isEqualTo(404);
      assertThat(again.body()).isEqualTo("Unknown service ID \"db-1\". Ensure that the service"
          + " ID is passed, not the service name.");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"Port\":1}|Missing service name",
      "{\"Name\":\"Web\"}|Invalid Name: service name \"Web\" has upper case",
      "{\"Name\":\"web\",\"Port\":70000}|Invalid Port: 70000 (must be 0 to 65535)",
      "{\"Name\":\"web\",\"Port\":-1}|Invalid Port: -1",
      "{\"Name\":\"web\",\"Port\":\"80\"}|Request decode failed: ",
      "{\"Name\":\"web\",\"Bogus\":1}|Request decode failed: ",
      "{\"Name\":\"web\"|Request decode failed: ",
      "{\"Name\":\"web\",\"ID\":\"a/b\"}|Invalid ID \"a/b\": character U+002F at index 1",
      "{\"Name\":\"web\",\"Kind\":\"mesh-gateway\"}|Kind \"mesh-gateway\" is not supported",
      "{\"Name\":\"web\",\"Check\":{\"TTL\":\"10s\"}}|Check and Checks are not supported",
      "{\"Name\":\"p\",\"Kind\":\"connect-proxy\",\"Proxy\":{\"DestinationServiceName\":\"db\"}}"
          + "|1 error occurred:",
      "{\"Name\":\"web\",\"Proxy\":{\"DestinationServiceName\":\"db\"}}|Proxy is only valid",
      "{\"Name\":\"web\",\"Connect\":{\"SidecarService\":{\"Proxy\":{\"Upstreams\":[{}]}}}}"
          + "|SidecarService.Proxy.Upstreams[0].DestinationName must be set",
      "{\"Name\":\"web\",\"Connect\":{\"SidecarService\":{\"Port\":65536}}}"
          + "|Invalid SidecarService.Port: 65536"})
  void badRegistrationsAre400sNamingTheValue(String body, String message) throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      HttpResponse<String> r = f.send("PUT", "/v1/agent/service/register", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).startsWith(message);
      assertThat(r.headers().firstValue("Content-Type")).hasValue(ApiReply.TEXT);
      assertThat(f.get("/v1/agent/services").body()).isEqualTo("{}");
    }
  }

  @Test
  void badReadsAre400sNamingTheValue() throws Exception {
    try (AgentFixture f = new AgentFixture(dir)) {
      assertThat(f.get("/v1/health/connect/Web").body()).contains("\"Web\" has upper case");
      assertThat(f.get("/v1/health/connect/db?index=abc").body()).isEqualTo("Invalid index");
      assertThat(f.get("/v1/catalog/connect/db?wait=x").body()).isEqualTo("Invalid wait time");
      assertThat(f.get("/v1/health/connect/db?filter=x").statusCode()).isEqualTo(400);
      assertThat(f.get("/v1/health/connect/db?dc=dc9").body())
          .isEqualTo("No path to datacenter: dc9");
      assertThat(f.get("/v1/agent/service/a%20b").statusCode()).isEqualTo(400);
      assertThat(f.get("/v1/agent/service/nope").body()).isEqualTo("unknown service ID: nope");
    }
  }
}
