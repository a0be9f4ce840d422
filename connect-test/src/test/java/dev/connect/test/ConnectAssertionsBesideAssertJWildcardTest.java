package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static org.assertj.core.api.Assertions.*;

import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the imports a user of AssertJ already has ({@code Assertions.*}) plus the single
 * import the guide shows for Connect. A single-static-import shadows every on-demand import of
 * the same name, so before the fix {@code assertThat(String)} did not compile here.
 */
class ConnectAssertionsBesideAssertJWildcardTest {
  final TestCa root = TestCertificates.root("7f3c0a11-0000-4000-8000-000000000001.consul")
      .clock(FakeTime.create()).build();

  @Test
  void aStringAndAListAssertBesideACertificate() {
    assertThat(root.leaf("web").build()).isConnectLeaf().isNotCa();
    assertThat("web").isEqualTo("web");
    assertThat(List.of(1, 2)).hasSize(2);
    assertThatThrownBy(() -> assertThat("web").isEqualTo("db"))
        .isInstanceOf(AssertionError.class);
    assertThatIllegalArgumentException().isThrownBy(() -> {
      throw new IllegalArgumentException("x");
    });
  }
}
