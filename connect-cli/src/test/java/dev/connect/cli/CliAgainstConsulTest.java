package dev.connect.cli;

import static dev.connect.cli.CliAgainstRunningAgentTest.parse;
import static dev.connect.cli.CliAgainstRunningAgentTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cli.CliAgainstRunningAgentTest.Run;
import dev.connect.peers.ConsulAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the admin commands against a real Consul 1.10.4 dev agent with ACLs on and default
 * deny: the ACL commands manage Consul's policies and tokens, a refusal names the endpoint and,
 * since Consul 1.10 answers a bare {@code Permission denied}, the permission the command needs;
 * {@code intention check} exits as Consul's CLI; {@code leaf} falls back to Consul's leaf
 * endpoint, since Consul offers no CSR endpoint.
 */
class CliAgainstConsulTest {
  private static ConsulAgent consul;
  private static String management;
  private static String addr;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    consul = ConsulAgent.builder().aclsDefaultDeny().start();
    management = consul.managementToken().orElseThrow();
    addr = consul.httpAddress().toString();
  }

  @AfterAll
  static void stop() {
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  void aclCommandsManageConsulsPoliciesAndTokens() throws Exception {
    Run policy = run("acl", "policy", "create", "--http-addr", addr, "--token", management,
        "--name", "db-write", "--description", "for db",
        "--rules", "service \"db\" { policy = \"write\" }");
    assertThat(policy.status()).as(policy.err()).isZero();
    assertThat(policy.out()).contains("Name:         db-write");

    Path tokenFile = Files.writeString(dir.resolve("token"), management + "\n");
    Run list = run(Map.of("CONSUL_HTTP_ADDR", addr, "CONSUL_HTTP_TOKEN_FILE",
        tokenFile.toString()), "acl", "policy", "list");
    assertThat(list.status()).as(list.err()).isZero();
    assertThat(list.out()).contains("db-write").contains("global-management");

    Run token = run("acl", "token", "create", "--http-addr", addr, "--token", management,
        "--policy", "db-write", "--description", "db service");
    assertThat(token.status()).as(token.err()).isZero();
    assertThat(token.out()).contains("Policies:     db-write");
    Matcher secret = Pattern.compile("SecretID:\\s+([0-9a-f-]{36})").matcher(token.out());
    assertThat(secret.find()).isTrue();

    // The new token may write db but not read ACLs: Consul's bare 403, completed by the CLI.
    Run refused = run("acl", "policy", "list", "--http-addr", addr, "--token", secret.group(1));
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err()).hasLineCount(1)
        .contains("GET " + addr).contains("/v1/acl/policies").contains("403")
        .contains("Permission denied").contains("(this command needs acl:read)")
        .doesNotContain(secret.group(1)).doesNotContain("Exception");

    Run again = run("acl", "bootstrap", "--http-addr", addr);
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).contains("ACL bootstrap no longer allowed");
  }

  @Test
  void intentionCheckExitsTwoWhenConsulDenies() {
    Map<String, String> env = Map.of("CONSUL_HTTP_ADDR", addr, "CONSUL_HTTP_TOKEN", management);
    Run denied = run(env, "intention", "check", "api", "billing");
    assertThat(denied.status()).as(denied.out() + denied.err()).isEqualTo(2);
    assertThat(denied.out()).startsWith("Denied\n");
    Run create = run(env, "intention", "create", "api", "billing");
    assertThat(create.status()).as(create.err()).isZero();
    Run allowed = run(env, "intention", "check", "api", "billing");
    assertThat(allowed.status()).as(allowed.out() + allowed.err()).isZero();
    Run anonymous = run("intention", "create", "--http-addr", addr, "web", "billing");
    assertThat(anonymous.status()).isEqualTo(1);
    assertThat(anonymous.err()).contains("403")
        .contains("(this command needs intention:write on \"billing\")");
  }

  @Test
  void leafFromConsulUsesItsLeafEndpointWhichMakesTheKey() throws Exception {
    Path out = dir.resolve("web");
    Run leaf = run("leaf", "web", "--out", out.toString(), "--http-addr", addr, "--token",
        management);
    assertThat(leaf.status()).as(leaf.err()).isZero();
    assertThat(leaf.out()).contains("Key made by the agent: it offers no CSR endpoint, so"
        + " Consul's /v1/agent/connect/ca/leaf/web was used");
    X509Certificate cert = parse(Files.readString(out.resolve("cert.pem"))).get(0);
    assertThat(cert.getSubjectAlternativeNames().toString()).contains("/svc/web");
    assertThat(Files.readString(out.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY");
  }
}
