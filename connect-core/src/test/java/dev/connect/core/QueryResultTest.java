package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class QueryResultTest {
  @Test
  void holdsValueAndIndex() {
    QueryResult<String> result = new QueryResult<>("roots", 9);

    assertThat(result.value()).isEqualTo("roots");
    assertThat(result.index()).isEqualTo(9);
  }

  @Test
  void indexMustBePositiveAsInConsul() {
    assertThatIllegalArgumentException().isThrownBy(() -> new QueryResult<>("x", 0))
        .withMessage("index must be at least 1: 0");
    assertThatIllegalArgumentException().isThrownBy(() -> new QueryResult<>("x", -5))
        .withMessage("index must be at least 1: -5");
    assertThatNullPointerException().isThrownBy(() -> new QueryResult<>(null, 1))
        .withMessage("value");
  }
}
