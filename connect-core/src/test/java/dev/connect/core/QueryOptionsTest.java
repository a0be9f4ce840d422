package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryOptionsTest {
  /** The run-B management token from acl-*.json; a throwaway, used here as a secret to hide. */
  private static final String SECRET = "e95b599e-166e-7d80-08ad-aee76e7ddf19";

  @Test
  void defaultsAnswerAtOnceWithNoTokenInTheLocalDatacenter() {
    QueryOptions defaults = QueryOptions.defaults();

    assertThat(defaults.tokenSecret()).isEmpty();
    assertThat(defaults.datacenter()).isEmpty();
    assertThat(defaults.minIndex()).isZero();
    assertThat(defaults.isBlocking()).isFalse();
    assertThat(defaults.maxWait()).isEqualTo(Duration.ofMinutes(5))
        .isEqualTo(QueryOptions.DEFAULT_MAX_WAIT);
    assertThat(defaults.toString())
        .isEqualTo("QueryOptions[token=anonymous, datacenter=local, minIndex=0, maxWait=PT5M]");
  }

  @Test
  void emptyBuilderGivesTheDefaults() {
    QueryOptions built = QueryOptions.builder().build();

    assertThat(built.toString()).isEqualTo(QueryOptions.defaults().toString());
    assertThat(built.maxWait()).isEqualTo(QueryOptions.DEFAULT_MAX_WAIT);
  }

  @Test
  void builderSetsEveryOption() {
    QueryOptions options = QueryOptions.builder().token(SECRET).datacenter("dc2").minIndex(63)
        .maxWait(Duration.ofSeconds(2)).build();

    assertThat(options.tokenSecret()).contains(SECRET);
    assertThat(options.datacenter()).contains("dc2");
    assertThat(options.minIndex()).isEqualTo(63);
    assertThat(options.isBlocking()).isTrue();
    assertThat(options.maxWait()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void indexOneBlocks() {
    assertThat(QueryOptions.builder().minIndex(1).build().isBlocking()).isTrue();
    assertThat(QueryOptions.builder().minIndex(0).build().isBlocking()).isFalse();
  }

  @Test
  void toStringNeverShowsTheToken() {
    QueryOptions options = QueryOptions.builder().token(SECRET).datacenter("dc1").minIndex(9)
        .build();

    assertThat(options.toString())
        .isEqualTo("QueryOptions[token=<redacted>, datacenter=dc1, minIndex=9, maxWait=PT5M]")
        .doesNotContain(SECRET)
        .doesNotContain(SECRET.substring(0, 8));
    assertThat(options.toBuilder().build().toString()).doesNotContain(SECRET);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "PT1S, PT1S",
      "PT9M59S, PT9M59S",
      "PT10M, PT10M",
      "PT10M0.000000001S, PT10M",
      "PT11M, PT10M",
      "PT24H, PT10M",
      "PT0.000000001S, PT0.000000001S",
  })
  void maxWaitIsCappedAtTenMinutes(Duration requested, Duration honoured) {
    QueryOptions options = QueryOptions.builder().maxWait(requested).build();

    assertThat(options.maxWait()).isEqualTo(honoured);
    assertThat(QueryOptions.MAX_WAIT_CAP).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void maxWaitOfLargestDurationIsCapped() {
    Duration largest = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    assertThat(QueryOptions.builder().maxWait(largest).build().maxWait())
        .isEqualTo(QueryOptions.MAX_WAIT_CAP);
  }

  @Test
  void rejectsBadValuesNamingThem() {
    QueryOptions.Builder builder = QueryOptions.builder();

    assertThatIllegalArgumentException().isThrownBy(() -> builder.token(""))
        .withMessage("token must not be empty");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.datacenter(""))
        .withMessage("datacenter must not be empty");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.minIndex(-1))
        .withMessage("minIndex must not be negative: -1");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.minIndex(Long.MIN_VALUE))
        .withMessage("minIndex must not be negative: " + Long.MIN_VALUE);
    assertThatIllegalArgumentException().isThrownBy(() -> builder.maxWait(Duration.ZERO))
        .withMessage("maxWait must be positive: PT0S");
    assertThatIllegalArgumentException().isThrownBy(() -> builder.maxWait(Duration.ofSeconds(-1)))
        .withMessage("maxWait must be positive: PT-1S");
    // A rejected value leaves the builder as it was.
    assertThat(builder.build().toString()).isEqualTo(QueryOptions.defaults().toString());
  }

  @Test
  void rejectsNulls() {
    QueryOptions.Builder builder = QueryOptions.builder();

    assertThatNullPointerException().isThrownBy(() -> builder.token(null)).withMessage("secretId");
    assertThatNullPointerException().isThrownBy(() -> builder.datacenter(null))
        .withMessage("datacenter");
    assertThatNullPointerException().isThrownBy(() -> builder.maxWait(null)).withMessage("wait");
  }

  @Test
  void toBuilderCopiesAndLeavesTheOriginalAlone() {
    QueryOptions original = QueryOptions.builder().token(SECRET).datacenter("dc1").minIndex(9)
        .maxWait(Duration.ofSeconds(30)).build();

    QueryOptions changed = original.toBuilder().minIndex(10).datacenter("dc2").build();

    assertThat(changed.tokenSecret()).contains(SECRET);
    assertThat(changed.datacenter()).contains("dc2");
    assertThat(changed.minIndex()).isEqualTo(10);
    assertThat(changed.maxWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(original.datacenter()).contains("dc1");
    assertThat(original.minIndex()).isEqualTo(9);
  }

  /**
   * Review finding: the builder silently overwrote an option set twice, where STYLE.md asks for
   * an {@link IllegalStateException} naming the earlier value. The token is a secret and is not
   * named.
   */
  @Test
  void optionSetTwiceThrowsNamingTheEarlierValue() {
    QueryOptions.Builder builder = QueryOptions.builder().token(SECRET).datacenter("dc1")
        .minIndex(9).maxWait(Duration.ofHours(1));

    assertThatIllegalStateException().isThrownBy(() -> builder.token("other-secret"))
        .withMessage("token was already set to <redacted>");
    assertThatIllegalStateException().isThrownBy(() -> builder.datacenter("dc2"))
        .withMessage("datacenter was already set to dc1");
    assertThatIllegalStateException().isThrownBy(() -> builder.minIndex(10))
        .withMessage("minIndex was already set to 9");
    assertThatIllegalStateException().isThrownBy(() -> builder.maxWait(Duration.ofSeconds(1)))
        .withMessage("maxWait was already set to PT10M");
    assertThat(builder.build().toString())
        .isEqualTo("QueryOptions[token=<redacted>, datacenter=dc1, minIndex=9, maxWait=PT10M]");
  }

  @Test
  void rejectedValueDoesNotCountAsSet() {
    QueryOptions.Builder builder = QueryOptions.builder();
    assertThatIllegalArgumentException().isThrownBy(() -> builder.minIndex(-1));

    assertThat(builder.minIndex(3).build().minIndex()).isEqualTo(3);
  }

  @Test
  void valuesCopiedByToBuilderCanBeChangedExactlyOnce() {
    QueryOptions original = QueryOptions.builder().token(SECRET).datacenter("dc1").minIndex(9)
        .maxWait(Duration.ofSeconds(30)).build();

    QueryOptions.Builder copy = original.toBuilder().token("other-secret").datacenter("dc2")
        .minIndex(10).maxWait(Duration.ofSeconds(5));

    assertThat(copy.build().minIndex()).isEqualTo(10);
    assertThatIllegalStateException().isThrownBy(() -> copy.minIndex(11))
        .withMessage("minIndex was already set to 10");
    assertThatIllegalStateException().isThrownBy(() -> copy.token(SECRET))
        .withMessage("token was already set to <redacted>");
  }

  @Test
  void builtOptionsDoNotChangeWithTheBuilder() {
    QueryOptions.Builder builder = QueryOptions.builder().minIndex(5);
    QueryOptions first = builder.build();

    builder.maxWait(Duration.ofSeconds(1)).token(SECRET);

    assertThat(first.minIndex()).isEqualTo(5);
    assertThat(first.tokenSecret()).isEmpty();
  }
}
