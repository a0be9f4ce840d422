package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectCliTest {
  private static final Pattern ACTIVE_ID =
      Pattern.compile("ID:\\s+([0-9a-f:]{59})\\s+\\(active\\)");

  @TempDir Path dir;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = ConnectCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(status, out.toString(), err.toString());
  }

  static String activeId(String output) {
    Matcher m = ACTIVE_ID.matcher(output);
    assertThat(m.find()).as("an active root in:%n%s", output).isTrue();
    return m.group(1);
  }

  @Test
  void demoTellsTheWholeStoryWithoutStackTraces() {
    Run first = run("demo", "--data-dir", dir.toString());
    assertThat(first.status()).as(first.out() + first.err()).isZero();
    String out = first.out();
    assertThat(out)
        .contains("(created)")
        .containsPattern("Trust domain:\\s+[0-9a-f-]{36}\\.consul")
        .contains("web -> db: \"hello web, this is db\"")
        .containsPattern("TLSv1\\.3, db presented spiffe://[0-9a-f-]{36}\\.consul/ns/default/dc/dc1"
            + "/svc/db serial")
        .contains("db authorized web: Matched L4 intention: default/web => default/db"
            + " (Precedence: 9, Action: ALLOW)")
        // Either the alert itself or, when db's alert and close beat web's last handshake
        // write, the broken connection: TLS 1.3 clients learn of a refusal after their side.
        .containsPattern("web -> db refused: (Received fatal alert: certificate_unknown"
            + "|Broken pipe|Connection reset)")
        .contains("db's trust manager: DENIED, connect: authz denied: Matched L4 intention:"
            + " default/web => default/db (Precedence: 9, Action: DENY)")
        .contains("Leaves of web and db re-issued by the new root.")
        .contains("Same connection, still open: \"yes\"")
        .contains("New handshake: \"hello web, this is db\"")
        .contains("(2 certificates)")
        .containsPattern("Done in \\d+\\.\\d s\\.");
    assertThat(out + first.err()).doesNotContain("Exception").doesNotContain("\tat ");
    Matcher serials = Pattern.compile("db presented \\S+ serial (\\S+)").matcher(out);
    List<String> seen = new ArrayList<>();
    while (serials.find()) {
      seen.add(serials.group(1));
    }
    assertThat(seen).hasSize(3);
    assertThat(seen.get(2)).as("a new leaf after the rotation").isNotEqualTo(seen.get(1));

    Matcher rotated = Pattern.compile("Root rotated: (\\S+) is active").matcher(out);
    assertThat(rotated.find()).isTrue();
    Run second = run("demo", "--data-dir", dir.toString());
    assertThat(second.status()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("(reopened)")
        .contains("Active root:    " + rotated.group(1))
        .contains("web -> db: \"hello web, this is db\"");
  }

  @Test
  void demoWithoutDataDirUsesAFreshTemporaryDirectoryAndRemovesIt() {
    Run a = run("demo");
    Run b = run("demo");
    assertThat(a.status()).as(a.out() + a.err()).isZero();
    assertThat(b.status()).as(b.out() + b.err()).isZero();
    assertThat(demoRoot(a.out())).isNotEqualTo(demoRoot(b.out()));
    Matcher m = Pattern.compile("Data directory: (\\S+) \\(temporary, removed on exit\\)")
        .matcher(a.out());
    assertThat(m.find()).as(a.out()).isTrue();
    assertThat(Path.of(m.group(1))).doesNotExist();
  }

  static String demoRoot(String output) {
    Matcher m = Pattern.compile("Active root:\\s+([0-9a-f:]{59})").matcher(output);
    assertThat(m.find()).as("an active root in:%n%s", output).isTrue();
    return m.group(1);
  }

  @Test
  void caRootsListsTheActiveRootAndRotateAddsACrossSignedOne() {
    run("demo", "--data-dir", dir.toString());
    Run roots = run("ca", "roots", "--data-dir", dir.toString());
    String first = activeId(roots.out());
    assertThat(roots.status()).isZero();
    assertThat(roots.out()).contains("Active root:  " + first).contains("Valid:");

    Run rotated = run("ca", "rotate", "--data-dir", dir.toString());
    assertThat(rotated.status()).as(rotated.err()).isZero();
    String second = activeId(rotated.out());
    assertThat(second).isNotEqualTo(first);
    assertThat(rotated.out()).contains("ID:           " + first).contains("Rotated out:")
        .contains("Cross-signed: by CN=pri-");

    Run after = run("ca", "roots", "--data-dir", dir.toString());
    assertThat(activeId(after.out())).isEqualTo(second);
  }

  @Test
  void caRootsOnADirectoryWithoutACaFailsNamingItAndCreatesNothing() {
    Path missing = dir.resolve("nothing-here");
    Run run = run("ca", "roots", "--data-dir", missing.toString());
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: " + missing).contains("no state.json")
        .contains("connect init --data-dir " + missing);
    assertThat(missing).doesNotExist();
  }

  @Test
  void intentionCreateListGetCheckDelete() {
    run("demo", "--data-dir", dir.toString());
    String d = dir.toString();
    Run created = run("intention", "create", "--deny", "--description", "no api",
        "--data-dir", d, "api", "*");
    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.out()).contains("Created: default/api => default/* (deny)")
        .containsPattern("ID:\\s+[0-9a-f-]{36}").contains("Precedence:   6");
    Run duplicate = run("intention", "create", "--data-dir", d, "api", "*");
    assertThat(duplicate.status()).isEqualTo(1);
    assertThat(duplicate.err()).contains("default/api => default/*");

    Run list = run("intention", "list", "--data-dir", d);
    assertThat(list.out()).contains("default/api").contains("default/web").contains("default/db");

    Run get = run("intention", "get", "--data-dir", d, "api", "*");
    assertThat(get.out()).contains("Action:       deny").contains("Description:  no api");

    Run denied = run("intention", "check", "--data-dir", d, "api", "db");
    assertThat(denied.status()).as("denied exits 2, as Consul's CLI").isEqualTo(2);
    assertThat(denied.err()).startsWith("denied: Matched L4 intention: default/api => default/*")
        .hasLineCount(1);
    assertThat(denied.out()).matches("Denied\nMatched L4 intention: default/api => default/\\*"
        + " \\(ID: [0-9a-f-]{36}, Precedence: 6, Action: DENY\\)\n");
    Run allowed = run("intention", "check", "--data-dir", d, "other", "db");
    assertThat(allowed.status()).isZero();
    assertThat(allowed.out()).isEqualTo("Allowed\nACLs disabled, access is allowed by default\n");

    assertThat(run("intention", "delete", "--data-dir", d, "api", "*").out())
        .startsWith("Deleted: default/api => default/*");
    assertThat(run("intention", "get", "--data-dir", d, "api", "*").status()).isEqualTo(1);
  }

  @Test
  void aclBootstrapPolicyAndTokenThenEnforcedChecks() {
    String d = dir.toString();
    Run init = run("init", "--data-dir", d, "--acls", "--default-policy", "deny");
    assertThat(init.status()).as(init.err()).isZero();
    Run boot = run("acl", "bootstrap", "--data-dir", d);
    assertThat(boot.status()).as(boot.err()).isZero();
    String management = secret(boot.out());
    assertThat(run("acl", "bootstrap", "--data-dir", d).err())
        .contains("ACL bootstrap no longer allowed");

    Run anonymous = run("acl", "policy", "create", "--data-dir", d, "--name", "web-write",
        "--rules", "service \"web\" { policy = \"write\" }");
    assertThat(anonymous.status()).isEqualTo(1);
    assertThat(anonymous.err()).contains("acl:write").doesNotContain(management);

    Run policy = run("acl", "policy", "create", "--data-dir", d, "--token", management,
        "--name", "web-write", "--rules", "service \"web\" { policy = \"write\" }");
    assertThat(policy.status()).as(policy.err()).isZero();
    assertThat(policy.out()).contains("Name:         web-write");

    Run token = run("acl", "token", "create", "--data-dir", d, "--token", management,
        "--policy", "web-write", "--description", "web");
    assertThat(token.status()).as(token.err()).isZero();
    String web = secret(token.out());
    assertThat(token.out()).contains("Policies:     web-write");

    Run checkWithWeb = run("intention", "check", "--data-dir", d, "--acls",
        "--default-policy", "deny", "--token", web, "other", "web");
    assertThat(checkWithWeb.status()).isEqualTo(2);
    assertThat(checkWithWeb.out()).contains("Default behavior configured by ACLs");
    Run checkDbWithWeb = run("intention", "check", "--data-dir", d, "--acls",
        "--default-policy", "deny", "--token", web, "web", "db");
    assertThat(checkDbWithWeb.status()).isEqualTo(1);
    assertThat(checkDbWithWeb.err()).contains("service:read").contains("db")
        .doesNotContain(web);
    assertThat(run("ca", "rotate", "--data-dir", d, "--acls", "--default-policy", "deny",
        "--token", web).err()).contains("operator:write");
  }

  private static String secret(String output) {
    Matcher m = Pattern.compile("SecretID:\\s+([0-9a-f-]{36})").matcher(output);
    assertThat(m.find()).as("a SecretID in:%n%s", output).isTrue();
    return m.group(1);
  }

  /** Usage errors exit 1, as Consul's CLI: 2 is {@code intention check}'s denial. */
  @Test
  void usageErrorsExitWithOne() {
    Run missing = run("intention", "create", "web");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("<destination>").contains("Usage:");
    assertThat(run("nonsense").status()).isEqualTo(1);
    assertThat(run("leaf", "web").status()).isEqualTo(1); // no --out
    assertThat(run("--help").status()).isZero();
  }

  /** Regression: a --token given without --acls was silently not checked. */
  @Test
  void tokenWithoutAclsIsRefusedRatherThanIgnored() {
    run("demo", "--data-dir", dir.toString());
    Run run = run("intention", "list", "--data-dir", dir.toString(), "--token",
        "00000000-1111-2222-3333-444444444444");
    assertThat(run.status()).isEqualTo(1);
    Run policy = run("intention", "list", "--data-dir", dir.toString(), "--default-policy",
        "deny");
    assertThat(policy.status()).isEqualTo(1);
    assertThat(policy.err()).contains("records ACLs disabled, but --default-policy is deny");
    assertThat(run.err()).contains("--token has no effect: " + dir + " records ACLs disabled")
        .doesNotContain("00000000-1111-2222-3333-444444444444");
  }

  /** Regression: rerunning the demo on a directory reversed the operator's own intentions. */
  @Test
  void demoLeavesExistingIntentionsAlone() {
    run("demo", "--data-dir", dir.toString());
    assertThat(run("intention", "create", "--replace", "--deny", "--data-dir", dir.toString(),
        "web", "db").status()).isZero();
    Run again = run("demo", "--data-dir", dir.toString());
    assertThat(again.status()).as(again.out() + again.err()).isZero();
    assertThat(again.out())
        .contains("Your own intention default/web => default/db (deny) decides;"
            + " the demo leaves it alone.")
        .contains("web -> db refused: ")
        .contains("Skipping the deny and rotation steps");
    assertThat(run("intention", "get", "--data-dir", dir.toString(), "web", "db").out())
        .contains("Action:       deny");
  }
}
