package dev.connect.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.cli.ConnectCliTest.Run;
import dev.connect.core.SpiffeId;
import dev.connect.core.Certificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code connect leaf} writes a usable certificate, key and roots, the key owner-only. */
class LeafCommandTest {
  @TempDir Path dir;
  @TempDir Path out;

  @Test
  void writesCertKeyAndRootsThatVerifyAndMatch() throws Exception {
    assertThat(ConnectCliTest.run("demo", "--data-dir", dir.toString()).status()).isZero();
    Run run = ConnectCliTest.run("leaf", "api", "--data-dir", dir.toString(), "--out",
        out.resolve("certs").toString());
    assertThat(run.status()).as(run.err()).isZero();
    Path certs = out.resolve("certs");
    assertThat(run.out()).contains(certs.resolve("key.pem") + " (owner only)");
    assertThat(Files.getPosixFilePermissions(certs.resolve("key.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(certs)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("cert.pem", "key.pem", "ca.pem");
    }
    List<X509Certificate> chain = Certificates.parsePem(Files.readString(certs.resolve("cert.pem")));
    assertThat(SpiffeId.fromCertificate(chain.get(0)).toString())
        .matches("spiffe://[0-9a-f-]{36}\\.consul/ns/default/dc/dc1/svc/api");

    PrivateKey key = readKey(certs.resolve("key.pem"));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(new byte[] {42});
    byte[] sig = s.sign();
    s.initVerify(chain.get(0).getPublicKey());
    s.update(new byte[] {42});
    assertThat(s.verify(sig)).as("key.pem is the key of cert.pem").isTrue();

    assumeTrue(openssl(), "openssl is not installed");
    Process verify = new ProcessBuilder("openssl", "verify", "-CAfile",
        certs.resolve("ca.pem").toString(), certs.resolve("cert.pem").toString())
        .redirectErrorStream(true).start();
    assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.exitValue()).as(text).isZero();
    assertThat(text).contains(": OK");
  }

  @Test
  void rewritingReplacesFilesAndKeepsTheKeyOwnerOnly() throws Exception {
    ConnectCliTest.run("demo", "--data-dir", dir.toString());
    ConnectCliTest.run("leaf", "api", "--data-dir", dir.toString(), "--out", out.toString());
    String first = Files.readString(out.resolve("key.pem"));
    Files.setPosixFilePermissions(out.resolve("key.pem"),
        PosixFilePermissions.fromString("rw-r--r--"));
    Run again = ConnectCliTest.run("leaf", "api", "--data-dir", dir.toString(), "--out",
        out.toString());
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(Files.readString(out.resolve("key.pem"))).isNotEqualTo(first);
    assertThat(Files.getPosixFilePermissions(out.resolve("key.pem")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(out)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void withAclsTheTokenNeedsServiceWriteAndComesFromTheEnvironment() throws Exception {
    ConnectCliTest.run("init", "--data-dir", dir.toString(), "--acls", "--default-policy",
        "deny");
    Run boot = ConnectCliTest.run("acl", "bootstrap", "--data-dir", dir.toString());
    Matcher m = Pattern.compile("SecretID:\\s+([0-9a-f-]{36})").matcher(boot.out());
    assertThat(m.find()).as(boot.out()).isTrue();

    Run anonymous = ConnectCliTest.run("leaf", "api", "--data-dir", dir.toString(), "--acls",
        "--default-policy", "deny", "--out", out.toString());
    assertThat(anonymous.status()).isEqualTo(1);
    assertThat(anonymous.err()).contains("service:write").contains("api").hasLineCount(1);
    assertThat(out.resolve("key.pem")).doesNotExist();

    // The same command in a child JVM with the management token in CONNECT_HTTP_TOKEN.
    ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-cp", System.getProperty("java.class.path"),
        ConnectCli.class.getName(), "leaf", "api", "--data-dir", dir.toString(), "--acls",
        "--default-policy", "deny", "--out", out.toString()).redirectErrorStream(true);
    child.environment().put("CONNECT_HTTP_TOKEN", m.group(1));
    Process p = child.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(out.resolve("key.pem")).exists();
  }

  @Test
  void aSecondProcessOnTheSameDirectoryIsToldWhoHoldsIt() throws Exception {
    ConnectCliTest.run("demo", "--data-dir", dir.toString());
    try (var server = dev.connect.server.EmbeddedServer.builder().dataDirectory(dir).open()) {
      Run run = ConnectCliTest.run("leaf", "api", "--data-dir", dir.toString(), "--out",
          out.toString());
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.err()).contains("in use by another Connect server")
          .contains("held by pid " + ProcessHandle.current().pid()).hasLineCount(1);
    }
  }

  /**
   * Review finding (item 8): {@code connect leaf WEB} issued a leaf that no {@code web} intention
   * covers. The name is checked first, by the rule every write path applies, and nothing is
   * written.
   */
  @Test
  void aServiceNameNoIntentionCanNameIsRefusedNamingIt() throws Exception {
    assertThat(ConnectCliTest.run("demo", "--data-dir", dir.toString()).status()).isZero();
    Run upper = ConnectCliTest.run("leaf", "WEB", "--data-dir", dir.toString(), "--out",
        out.toString());
    assertThat(upper.status()).isEqualTo(1);
    assertThat(upper.err()).contains("service name \"WEB\" has upper case")
        .contains("write \"web\"").hasLineCount(1);
    Run space = ConnectCliTest.run("leaf", "we b", "--data-dir", dir.toString(), "--out",
        out.toString());
    assertThat(space.status()).isEqualTo(1);
    assertThat(space.err()).contains("service name \"we b\"");
    assertThat(out.resolve("key.pem")).doesNotExist();
    assertThat(out.resolve("cert.pem")).doesNotExist();
  }

  private static PrivateKey readKey(Path pem) throws Exception {
    String text = Files.readString(pem);
    assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  private static boolean openssl() {
    try {
      return new ProcessBuilder("openssl", "version").start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
