package dev.connect.test;

import static dev.connect.test.ConnectAssertions.*;
import static org.assertj.core.api.Assertions.*;

import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: both entry points imported on demand, as IDEs write them; every call resolves
 * without ambiguity.
 */
class ConnectAssertionsBothWildcardsTest {
  final TestCa root = TestCertificates.root("7f3c0a11-0000-4000-8000-000000000001.consul")
      .clock(FakeTime.create()).build();

  @Test
  void connectAndAssertJCallsResolve() {
    assertThat(root).isCa();
    assertThat(root.certificate()).isCa();
    assertThat("web").hasSize(3);
    assertThat(List.of("web")).containsExactly("web");
    assertThatThrownBy(() -> assertThat(root).isNotCa()).isInstanceOf(AssertionError.class);
    assertThatIllegalStateException().isThrownBy(() -> {
      throw new IllegalStateException("x");
    });
  }
}
