package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntentionTargetTest {
  private static final String TD = Samples.TRUST_DOMAIN_A;

  @ParameterizedTest
  @CsvSource({
      "web,         default, web",
      "*,           default, *",
      "default/web, default, web",
      "ns/*,        ns,      *",
      "*/*,         *,       *",
      "a.b-c_d,     default, a.b-c_d",
  })
  void parseReadsNameOrNamespaceSlashName(String text, String namespace, String name) {
    IntentionTarget t = IntentionTarget.parse(text);

    assertThat(t).isEqualTo(IntentionTarget.of(namespace, name));
    assertThat(t.toString()).isEqualTo(namespace + "/" + name);
    assertThat(IntentionTarget.parse(t.toString())).isEqualTo(t);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "we*    | name: wildcard character '*' cannot be used with partial values: \"we*\"",
      "*web   | name: wildcard character '*' cannot be used with partial values: \"*web\"",
      "**     | name: wildcard character '*' cannot be used with partial values: \"**\"",
      "n*/web | namespace: wildcard character '*' cannot be used with partial values: \"n*\"",
      "*/web  | exact value cannot follow wildcard namespace: \"*/web\"",
      "a/b/c  | intention target must be name or namespace/name: \"a/b/c\"",
      "/web   | namespace must not be empty: \"/web\"",
      "ns/    | name must not be empty: \"ns/\"",
  })
  void parseRejectsWithAMessageNamingTheValue(String text, String message) {
    assertThatThrownBy(() -> IntentionTarget.parse(text))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void constructorRejectsEmptySlashAndNull() {
    assertThatThrownBy(() -> IntentionTarget.parse(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be empty: \"\"");
    assertThatThrownBy(() -> IntentionTarget.of("default", "a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not contain '/': \"a/b\"");
    assertThatThrownBy(() -> IntentionTarget.of(null, "web"))
        .isInstanceOf(NullPointerException.class).hasMessage("namespace");
  }

  /**
   * Review finding: {@code parse("/web")} said only "namespace must not be empty", without the
   * input, and the wildcard-namespace message put both parts into the message unescaped.
   */
  @Test
  void emptyPartMessageNamesTheInputAndEveryValueIsEscaped() {
    assertThatThrownBy(() -> IntentionTarget.parse("/web"))
        .hasMessage("namespace must not be empty: \"/web\"");
    assertThatThrownBy(() -> IntentionTarget.of("", "web"))
        .hasMessage("namespace must not be empty: \"/web\"");
    assertThatThrownBy(() -> IntentionTarget.of("default", ""))
        .hasMessage("name must not be empty: \"default/\"");
    assertThatThrownBy(() -> IntentionTarget.parse("\u202e/"))
        .hasMessage("name must not be empty: \"\\u202e/\"");

    String forged = "web\n2030-01-01 INFO intention allowed\u202e\"";
    assertThatThrownBy(() -> IntentionTarget.of("*", forged))
        .hasMessage("exact value cannot follow wildcard namespace:"
            + " \"*/web\\u000a2030-01-01 INFO intention allowed\\u202e\\u0022\"");
    String longName = "w".repeat(10_000);
    assertThatThrownBy(() -> IntentionTarget.parse("*/" + longName))
        .hasMessage("exact value cannot follow wildcard namespace: \"*/" + "w".repeat(254)
            + "...(10002 chars)\"");
    assertThatThrownBy(() -> IntentionTarget.parse("/" + longName))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(320));
  }

  @Test
  void matchesByNamespaceAndNameWithWildcards() {
    ServiceId web = ServiceId.of(TD, "dc1", "web");
    ServiceId webInFoo = new ServiceId(TD, "default", "foo", "dc1", "web");

    assertThat(IntentionTarget.parse("web").matches(web)).isTrue();
    assertThat(IntentionTarget.parse("*").matches(web)).isTrue();
    assertThat(IntentionTarget.parse("*/*").matches(web)).isTrue();
    assertThat(IntentionTarget.parse("db").matches(web)).isFalse();
    assertThat(IntentionTarget.parse("Web").matches(web)).as("case-sensitive").isFalse();
    assertThat(IntentionTarget.parse("web").matches(webInFoo)).isFalse();
    assertThat(IntentionTarget.parse("*").matches(webInFoo)).isFalse();
    assertThat(IntentionTarget.parse("foo/*").matches(webInFoo)).isTrue();
    assertThat(IntentionTarget.parse("*/*").matches(webInFoo)).isTrue();
  }

  @Test
  void servicesInAnotherPartitionMatchNothing() {
    ServiceId web = new ServiceId(TD, "part1", "default", "dc1", "web");

    assertThat(IntentionTarget.parse("*/*").matches(web)).isFalse();
    assertThat(IntentionTarget.parse("web").matches(web)).isFalse();
  }

  @Test
  void matchesTakesItsArgumentsLiterally() {
    assertThat(IntentionTarget.parse("web").matches("default", "*")).isFalse();
    assertThat(IntentionTarget.parse("*").matches("default", "*")).isTrue();
  }

  @Test
  void isExactOnlyWithoutWildcards() {
    assertThat(IntentionTarget.parse("web").isExact()).isTrue();
    assertThat(IntentionTarget.parse("*").isExact()).isFalse();
    assertThat(IntentionTarget.parse("*/*").isExact()).isFalse();
  }
}
