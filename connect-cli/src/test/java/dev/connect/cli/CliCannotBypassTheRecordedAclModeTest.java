package dev.connect.cli;

import static dev.connect.cli.ConnectCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cli.ConnectCliTest.Run;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (adversarial review, item 9): ACLs were on only when the opener said so, so the
 * {@code connect} command without {@code --acls} could do anything to a directory an application
 * runs with ACLs on, and {@code --acls} alone meant {@code allow} where the application used
 * {@code deny}: a token for {@code web} could take {@code db}'s leaf, rotate the CA and write
 * intentions. The command now enforces what the directory records.
 */
class CliCannotBypassTheRecordedAclModeTest {
  @TempDir Path dir;

  @Test
  void withoutFlagsTheCommandEnforcesTheRecordedAclsAndDefaultPolicy() {
    String d = dir.resolve("data").toString();
    assertThat(run("init", "--data-dir", d, "--acls", "--default-policy", "deny").status())
        .isZero();
    String management = secret(run("acl", "bootstrap", "--data-dir", d).out());
    assertThat(run("acl", "policy", "create", "--data-dir", d, "--token", management, "--name",
        "web", "--rules", "service \"web\" { policy = \"write\" }").status()).isZero();
    String web = secret(run("acl", "token", "create", "--data-dir", d, "--token", management,
        "--policy", "web").out());

    Run deny = run("intention", "create", "--deny", "web", "db", "--data-dir", d);
    assertThat(deny.status()).isEqualTo(1);
    assertThat(deny.out()).doesNotContain("Created");
    assertThat(deny.err()).contains("Permission denied").contains("intention:write");

    Run rotate = run("ca", "rotate", "--data-dir", d, "--token", web);
    assertThat(rotate.status()).isEqualTo(1);
    assertThat(rotate.err()).contains("operator:write").doesNotContain(web);

    Run leaf = run("leaf", "db", "--out", dir.resolve("db").toString(), "--data-dir", d,
        "--token", web);
    assertThat(leaf.status()).isEqualTo(1);
    assertThat(leaf.err()).contains("service:write").contains("db");
    assertThat(dir.resolve("db").resolve("key.pem")).doesNotExist();

    Run allow = run("intention", "list", "--data-dir", d, "--acls", "--default-policy",
        "allow", "--token", management);
    assertThat(allow.status()).isEqualTo(1);
    assertThat(allow.err()).contains("records ACLs enabled, default policy deny, but"
        + " --default-policy is allow");
    assertThat(run("intention", "list", "--data-dir", d, "--acls", "--default-policy", "deny",
        "--token", management).status()).isZero();
  }

  static String secret(String output) {
    Matcher m = Pattern.compile("SecretID:\\s+([0-9a-f-]{36})").matcher(output);
    assertThat(m.find()).as("a SecretID in:%n%s", output).isTrue();
    return m.group(1);
  }
}
