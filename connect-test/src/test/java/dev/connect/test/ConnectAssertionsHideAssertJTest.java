package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static dev.connect.test.ConnectAssertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intentions;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: {@code import static ...ConnectAssertions.assertThat} used to hide AssertJ's own
 * {@code assertThat(String)}, so a test could not assert on a string, a list or a duration
 * beside a certificate. This class imports only {@code ConnectAssertions}: it compiles only if
 * that one import brings AssertJ's overloads too.
 */
class ConnectAssertionsHideAssertJTest {
  static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";
  static final String WEB = "spiffe://" + TD + "/ns/default/dc/dc1/svc/web";

  final FakeTime time = FakeTime.create();
  final TestCa root = TestCertificates.root(TD).clock(time).build();
  final TestLeaf web = root.leaf("web").build();

  @Test
  void assertJsOwnOverloadsWorkBesideTheConnectOnesFromOneImport() {
    assertThat(web.certificate()).hasSpiffeId(WEB).isSignedBy(root.certificate());
    assertThat(web).isConnectLeaf();
    assertThat(root).isCa();
    assertThat(Intentions.of(List.of()).check("web", "db", DefaultIntentionPolicy.ACLS_DEFAULT_DENY))
        .isDenied();

    assertThat(WEB).startsWith("spiffe://").endsWith("/svc/web");
    assertThat(List.of("web", "db")).containsExactly("web", "db");
    assertThat(Map.of("web", 1)).containsEntry("web", 1);
    assertThat(Optional.of("web")).contains("web");
    assertThat(Duration.ofHours(72)).isGreaterThan(Duration.ofHours(1));
    assertThat(42).isPositive();
    assertThat(true).isTrue();
    assertThat(Path.of("connect-data")).hasFileName("connect-data");
    assertThat(new IllegalStateException("boom")).hasMessage("boom");
  }

  @Test
  void assertJsOverloadsStillFailWhenTheyShould() {
    assertThatThrownBy(() -> assertThat(WEB).endsWith("/svc/db"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(WEB);
    assertThatThrownBy(() -> assertThat(List.of("web")).isEmpty())
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertThat(web).hasSpiffeId(WEB.replace("web", "db")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("to have the single URI SAN");
  }
}
