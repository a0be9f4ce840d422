package dev.connect.cli;

import static dev.connect.cli.ConnectCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cli.ConnectCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (adversarial review, item 10): only {@code connect demo} created a data directory,
 * leaving an intention and a rotated root behind; errors printed only a path ({@code error:
 * /etc/hostname}); {@code intention check --help} offered {@code *}, which it refuses; {@code
 * connect help acl token} did not show the token command's help; a bad ACL rule was reported as a
 * Go struct dump.
 */
class InitAndClearErrorsTest {
  @TempDir Path dir;

  @Test
  void initCreatesAnEmptyDirectoryWithOneRootAndRecordsItsAclMode() {
    String d = dir.resolve("data").toString();
    Run init = run("init", "--data-dir", d);
    assertThat(init.status()).as(init.err()).isZero();
    assertThat(init.out()).contains("Created " + d).contains("ACLs:         disabled");
    assertThat(run("intention", "list", "--data-dir", d).out()).hasLineCount(1); // header only
    Run roots = run("ca", "roots", "--data-dir", d);
    assertThat(roots.out()).containsOnlyOnce("  ID:  ");

    Run again = run("init", "--data-dir", d);
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).contains("already holds a Connect data directory");

    Run bootstrap = run("acl", "bootstrap", "--data-dir", d);
    assertThat(bootstrap.status()).isEqualTo(1);
    assertThat(bootstrap.err()).contains("records ACLs disabled")
        .contains("connect init --data-dir <dir> --acls");
  }

  @Test
  void initWithAclsRecordsThemAndRefusesAPolicyWithoutThem() {
    Run policyAlone = run("init", "--data-dir", dir.resolve("a").toString(),
        "--default-policy", "deny");
    assertThat(policyAlone.status()).isEqualTo(1);
    assertThat(policyAlone.err()).contains("--default-policy deny needs --acls");
    assertThat(dir.resolve("a")).doesNotExist();

    String d = dir.resolve("b").toString();
    Run init = run("init", "--data-dir", d, "--acls", "--default-policy", "deny");
    assertThat(init.status()).as(init.err()).isZero();
    assertThat(init.out()).contains("ACLs:         enabled, default policy deny")
        .contains("connect acl bootstrap --data-dir " + d);
    Run check = run("intention", "check", "--data-dir", d, "web", "db");
    assertThat(check.err()).contains("Permission denied");
  }

  @Test
  void fileErrorsSayWhatIsWrongWithThePath() throws Exception {
    String d = dir.resolve("data").toString();
    run("init", "--data-dir", d);
    Path file = Files.writeString(dir.resolve("hostname"), "x");
    Run leaf = run("leaf", "web", "--out", file.toString(), "--data-dir", d);
    assertThat(leaf.status()).isEqualTo(1);
    assertThat(leaf.err()).contains("--out " + file + " is not a directory");

    String acl = dir.resolve("acl").toString();
    run("init", "--data-dir", acl, "--acls");
    Path missing = dir.resolve("nonexistent.hcl");
    Run rules = run("acl", "policy", "create", "--data-dir", acl, "--name", "p", "--rules",
        "@" + missing);
    assertThat(rules.status()).isEqualTo(1);
    assertThat(rules.err()).contains("--rules @" + missing + ": cannot read the rules file: "
        + missing + ": no such file or directory");
  }

  @Test
  void aBadAclRuleIsReportedInOurWords() {
    String d = dir.resolve("data").toString();
    run("init", "--data-dir", d, "--acls");
    String management = CliCannotBypassTheRecordedAclModeTest.secret(
        run("acl", "bootstrap", "--data-dir", d).out());
    Run bad = run("acl", "policy", "create", "--data-dir", d, "--token", management, "--name",
        "p", "--rules", "service \"web\" { policy = \"sideways\" }");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).doesNotContain("&acl.")
        .contains("service \"web\": policy \"sideways\" is not read, write or deny"
            + " (at line 1, column 26)");
  }

  @Test
  void helpReachesNestedCommandsAndCheckOffersNoWildcard() {
    Run token = run("help", "acl", "token");
    assertThat(token.status()).isZero();
    assertThat(token.out()).contains("Usage: connect acl token").contains("create");
    Run create = run("help", "acl", "token", "create");
    assertThat(create.out()).contains("Usage: connect acl token create").contains("--policy");
    Run unknown = run("help", "acl", "nonsense");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err()).contains("unknown command: connect acl nonsense");

    Run check = run("intention", "check", "--help");
    assertThat(check.out()).doesNotContain("or *").contains("no wildcard");
    assertThat(run("intention", "create", "--help").out()).contains("or *");
  }
}
