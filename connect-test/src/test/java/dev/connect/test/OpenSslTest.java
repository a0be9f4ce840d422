package dev.connect.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificates are well-formed to a real peer: OpenSSL's {@code verify} accepts the correct
 * ones for both TLS roles and refuses each broken variant for the reason it claims, and {@code
 * x509 -text} shows Consul's profile. Skipped when {@code openssl} is not on the PATH.
 */
class OpenSslTest {
  static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";

  @TempDir
  Path dir;

  final FakeTime time = FakeTime.create();
  final TestCa root = TestCertificates.root(TD).clock(time).build();
  /** OpenSSL checks dates at the fake time's now, not the real one. */
  final String attime = Long.toString(time.instant().getEpochSecond());

  @BeforeAll
  static void needsOpenSsl() {
    assumeTrue(available(), "openssl is not on the PATH");
  }

  @Test
  void correctLeafOfAnIntermediateVerifiesForClientAndServer() {
    TestCa intermediate = root.intermediate().build();
    TestLeaf leaf = intermediate.leaf("web").build();
    write("root.pem", root.certificatePem());
    write("inter.pem", intermediate.certificatePem());
    write("leaf.pem", leaf.certificatePem());
    for (String purpose : List.of("sslclient", "sslserver")) {
      Result r = run("verify", "-attime", attime, "-purpose", purpose, "-CAfile", "root.pem",
          "-untrusted", "inter.pem", "leaf.pem");
      assertThat(r.output()).as(purpose).isEqualTo("leaf.pem: OK\n");
      assertThat(r.exitCode()).isZero();
    }
  }

  @Test
  void textShowsConsulsLeafAndRootProfiles() {
    TestLeaf leaf = root.leaf("web").build();
    write("leaf.pem", leaf.certificatePem());
    write("root.pem", root.certificatePem());
    String text = run("x509", "-in", "leaf.pem", "-noout", "-text").output();
    assertThat(text).contains("URI:spiffe://" + TD + "/ns/default/dc/dc1/svc/web",
        "X509v3 Key Usage: critical",
        "Digital Signature, Key Encipherment, Data Encipherment, Key Agreement",
        "TLS Web Client Authentication, TLS Web Server Authentication",
        "X509v3 Basic Constraints: critical", "CA:FALSE", "ASN1 OID: prime256v1",
        "Subject: CN = web.svc.default.7f3c0a11.consul", "ecdsa-with-SHA256",
        "X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier");
    String rootText = run("x509", "-in", "root.pem", "-noout", "-text").output();
    assertThat(rootText).contains("URI:spiffe://" + TD + "\n", "CA:TRUE",
        "Digital Signature, Certificate Sign, CRL Sign")
        .doesNotContain("Extended Key Usage", "Name Constraints");
  }

  @Test
  void privateKeyPemMatchesTheCertificate() {
    TestLeaf leaf = root.leaf("web").build();
    write("leaf.pem", leaf.certificatePem());
    write("key.pem", leaf.exportPrivateKeyPkcs8Pem());
    Result fromKey = run("pkey", "-in", "key.pem", "-pubout");
    Result fromCert = run("x509", "-in", "leaf.pem", "-noout", "-pubkey");
    assertThat(fromKey.exitCode()).isZero();
    assertThat(fromKey.output()).isEqualTo(fromCert.output()).startsWith("-----BEGIN PUBLIC KEY");
  }

  @Test
  void expiredAndNotYetValidLeavesAreRefused() {
    write("root.pem", root.certificatePem());
    write("expired.pem", root.leaf("web").expired().build().certificatePem());
    write("future.pem", root.leaf("web").notYetValid().build().certificatePem());
    Result expired = run("verify", "-attime", attime, "-CAfile", "root.pem", "expired.pem");
    assertThat(expired.exitCode()).isNotZero();
    assertThat(expired.output()).contains("certificate has expired");
    Result future = run("verify", "-attime", attime, "-CAfile", "root.pem", "future.pem");
    assertThat(future.exitCode()).isNotZero();
    assertThat(future.output()).contains("certificate is not yet valid");
  }

  @Test
  void missingExtendedKeyUsageIsRefusedForThatRole() {
    write("root.pem", root.certificatePem());
    write("server-only.pem", root.leaf("web").serverAuthOnly().build().certificatePem());
    Result asClient = run("verify", "-attime", attime, "-purpose", "sslclient", "-CAfile",
        "root.pem", "server-only.pem");
    assertThat(asClient.exitCode()).isNotZero();
    assertThat(asClient.output()).contains("unsuitable certificate purpose");
    assertThat(run("verify", "-attime", attime, "-purpose", "sslserver", "-CAfile", "root.pem",
        "server-only.pem").output()).isEqualTo("server-only.pem: OK\n");
  }

  @Test
  void wrongTrustDomainIsRefusedUnderANameConstrainedRoot() {
    TestCa constrained = TestCertificates.root(TD).clock(time).nameConstrained().build();
    write("root.pem", constrained.certificatePem());
    write("ours.pem", constrained.leaf("web").build().certificatePem());
    write("foreign.pem", constrained.leaf("web").trustDomain("other.consul").build()
        .certificatePem());
    assertThat(run("verify", "-attime", attime, "-CAfile", "root.pem", "ours.pem").output())
        .isEqualTo("ours.pem: OK\n");
    Result foreign = run("verify", "-attime", attime, "-CAfile", "root.pem", "foreign.pem");
    assertThat(foreign.exitCode()).isNotZero();
    assertThat(foreign.output()).contains("permitted subtree violation");
  }

  @Test
  void crossSignedChainVerifiesAgainstTheOldRootAlone() {
    TestCa newRoot = TestCertificates.root(TD).clock(time).build();
    TestCa viaOld = newRoot.crossSignedBy(root);
    TestLeaf leaf = viaOld.leaf("web").build();
    write("old.pem", root.certificatePem());
    write("cross.pem", viaOld.certificatePem());
    write("leaf.pem", leaf.certificatePem());
    assertThat(run("verify", "-attime", attime, "-CAfile", "old.pem", "-untrusted", "cross.pem",
        "leaf.pem").output()).isEqualTo("leaf.pem: OK\n");
  }

  @Test
  void selfSignedLeafIsRefused() {
    write("root.pem", root.certificatePem());
    write("self.pem", root.leaf("web").selfSigned().build().certificatePem());
    Result r = run("verify", "-attime", attime, "-CAfile", "root.pem", "self.pem");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("self-signed certificate");
  }

  void write(String name, String content) {
    try {
      Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Result(int exitCode, String output) {}

  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile(dir, "openssl-", ".out");
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(
              new java.io.File("/dev/null"))).start();
      // A hang guard only; openssl answers in milliseconds.
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("openssl did not finish: " + command);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  static boolean available() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
