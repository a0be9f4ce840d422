package dev.connect.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AclGoSyntaxTest {
  /** Expected values are what Go's {@code fmt.Sprintf("%q", s)} prints. */
  @Test
  void quotesAsGoDoes() {
    assertThat(AclGoSyntax.quote("web")).isEqualTo("\"web\"");
    assertThat(AclGoSyntax.quote("")).isEqualTo("\"\"");
    assertThat(AclGoSyntax.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(AclGoSyntax.quote("\u0007\b\f\n\r\t\u000b")).isEqualTo("\"\\a\\b\\f\\n\\r\\t\\v\"");
    assertThat(AclGoSyntax.quote("\u0000\u001f\u007f")).isEqualTo("\"\\x00\\x1f\\x7f\"");
    assertThat(AclGoSyntax.quote("\u0085\u200b\u202e\u2028")).isEqualTo(
        "\"\\u0085\\u200b\\u202e\\u2028\"");
    assertThat(AclGoSyntax.quote("caf\u00e9 \uD83D\uDE00")).isEqualTo("\"caf\u00e9 \uD83D\uDE00\"");
    assertThat(AclGoSyntax.quote("\uD83D")).isEqualTo("\"\\ud83d\"");
  }
}
