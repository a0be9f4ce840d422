package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
  void demoIssuesVerifiedLeavesForWebAndDbAndKeepsTheRootOnRerun() {
    Run first = run("demo", "--data-dir", dir.toString());
    assertThat(first.status()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("(created)")
        .containsPattern("Trust domain:\\s+[0-9a-f-]{36}\\.consul")
        .containsPattern("SPIFFE ID:\\s+spiffe://[0-9a-f-]{36}\\.consul/ns/default/dc/dc1/svc/web")
        .containsPattern("SPIFFE ID:\\s+spiffe://[0-9a-f-]{36}\\.consul/ns/default/dc/dc1/svc/db")
        .containsPattern("Subject:\\s+CN=web\\.svc\\.default\\.[0-9a-f]{8}\\.consul")
        .containsPattern("SHA-256:\\s+([0-9a-f]{2}:){31}[0-9a-f]{2}");
    assertThat(first.out().split("Verified:\\s+PKIX chain to root", -1)).hasSize(3);

    Run second = run("demo", "--data-dir", dir.toString());
    assertThat(second.status()).isZero();
    assertThat(second.out()).contains("(reopened)");
    assertThat(activeId(second.out())).isEqualTo(activeId(first.out()));
  }

  @Test
  void demoWithoutDataDirUsesAFreshTemporaryDirectory() {
    Run a = run("demo");
    Run b = run("demo");
    assertThat(a.status()).isZero();
    assertThat(b.status()).isZero();
    assertThat(activeId(a.out())).isNotEqualTo(activeId(b.out()));
  }

  @Test
  void caRootsListsTheActiveRootAndRotateAddsACrossSignedOne() {
    String first = activeId(run("demo", "--data-dir", dir.toString()).out());
    Run roots = run("ca", "roots", "--data-dir", dir.toString());
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
    assertThat(run.err()).startsWith("error: " + missing).contains("no state.json");
    assertThat(missing).doesNotExist();
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(run("ca", "roots").status()).isEqualTo(2);
    assertThat(run("nonsense").status()).isEqualTo(2);
    assertThat(run("--help").status()).isZero();
  }
}
