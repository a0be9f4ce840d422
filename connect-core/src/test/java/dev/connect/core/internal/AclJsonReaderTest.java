package dev.connect.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.internal.HclNode.Kind;
import org.junit.jupiter.api.Test;

class AclJsonReaderTest {
  @Test
  void readsEveryJsonValueWithPositions() {
    HclNode root = AclJsonReader.parse(
        "{\n \"s\": \"a\\tb\\u0041\",\n \"n\": -0.5E+2, \"t\": true, \"f\": false, \"z\": null,"
            + " \"l\": [1, {\"k\": []}], \"o\": {}}");
    assertThat(root.entries()).extracting(HclNode.Entry::key)
        .containsExactly("s", "n", "t", "f", "z", "l", "o");
    HclNode s = root.entries().get(0).value();
    assertThat(s.text()).isEqualTo("a\tbA");
    assertThat(s.line()).isEqualTo(2);
    assertThat(s.column()).isEqualTo(7);
    assertThat(root.entries().get(1).value().text()).isEqualTo("-0.5E+2");
    assertThat(root.entries().get(4).value().kind()).isEqualTo(Kind.NULL);
    assertThat(root.entries().get(4).value().describe()).isEqualTo("null");
    assertThat(root.entries().get(5).value().items()).hasSize(2);
    assertThat(root.entries().get(6).value().describe()).isEqualTo("an object");
  }

  @Test
  void refusesWhatIsNotStrictJson() {
    assertThatThrownBy(() -> AclJsonReader.parse("[1]"))
        .hasMessage("At 1:1: expected '{' at the start of JSON rules, found \"[1]\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": 01}"))
        .hasMessage("At 1:8: expected ',' or '}' in the object, found \"1}\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": 1.}"))
        .hasMessage("At 1:9: invalid number: expected a digit after '.', found \"}\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": tru}"))
        .hasMessage("At 1:7: expected a JSON value, found \"tru}\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": \"x\ny\"}"))
        .hasMessage("At 1:9: control character \"\\n\" in a string (JSON requires it escaped)");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": \"\\x\"}"))
        .hasMessage("At 1:8: invalid escape \"\\\\x\" in a string");
    assertThatThrownBy(() -> AclJsonReader.parse("{a: 1}"))
        .hasMessage("At 1:2: expected a quoted key in the object, found \"a:\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": [1,]}"))
        .hasMessage("At 1:10: expected a JSON value, found \"]}\"");
    assertThatThrownBy(() -> AclJsonReader.parse("{\"a\": \"b"))
        .hasMessage("At 1:7: unterminated string: no closing '\"'");
  }
}
