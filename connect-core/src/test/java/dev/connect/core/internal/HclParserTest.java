package dev.connect.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.internal.HclNode.Entry;
import dev.connect.core.internal.HclNode.Kind;
import org.junit.jupiter.api.Test;

class HclParserTest {
  @Test
  void desugarsLabelledBlocksIntoNestedObjectsWithPositions() {
    HclNode root = HclParser.parse("\n  service \"web\" {\n    policy = \"write\"\n  }");
    assertThat(root.kind()).isEqualTo(Kind.OBJECT);
    Entry service = root.entries().get(0);
    assertThat(service.key()).isEqualTo("service");
    assertThat(service.line()).isEqualTo(2);
    assertThat(service.column()).isEqualTo(3);
    Entry web = service.value().entries().get(0);
    assertThat(web.key()).isEqualTo("web");
    assertThat(web.line()).isEqualTo(2);
    assertThat(web.column()).isEqualTo(11);
    Entry policy = web.value().entries().get(0);
    assertThat(policy.key()).isEqualTo("policy");
    assertThat(policy.value().kind()).isEqualTo(Kind.STRING);
    assertThat(policy.value().text()).isEqualTo("write");
    assertThat(policy.value().line()).isEqualTo(3);
    assertThat(policy.value().column()).isEqualTo(14);
  }

  @Test
  void readsScalarsListsAndNestedObjects() {
    HclNode root = HclParser.parse("a = 1\nb = -2.5e3\nc = true\nd = [\"x\", 2, { e = \"f\" },]\n"
        + "g = { h = \"i\" }\nmulti a b c { }");
    assertThat(root.entries()).extracting(Entry::key).containsExactly("a", "b", "c", "d", "g",
        "multi");
    assertThat(root.entries().get(0).value().kind()).isEqualTo(Kind.NUMBER);
    assertThat(root.entries().get(1).value().text()).isEqualTo("-2.5e3");
    assertThat(root.entries().get(2).value().kind()).isEqualTo(Kind.BOOL);
    HclNode list = root.entries().get(3).value();
    assertThat(list.kind()).isEqualTo(Kind.LIST);
    assertThat(list.items()).extracting(HclNode::kind).containsExactly(Kind.STRING, Kind.NUMBER,
        Kind.OBJECT);
    assertThat(list.describe()).isEqualTo("a list");
    HclNode multi = root.entries().get(5).value();
    assertThat(multi.entries().get(0).key()).isEqualTo("a");
    assertThat(multi.entries().get(0).value().entries().get(0).key()).isEqualTo("b");
  }

  @Test
  void keepsDuplicateKeysForTheCaller() {
    HclNode root = HclParser.parse("service \"a\" {}\nservice \"a\" {}");
    assertThat(root.entries()).hasSize(2);
  }

  @Test
  void countsColumnsAfterCommentsAndTabs() {
    HclNode root = HclParser.parse("/* x\n y */\tk = \"v\"");
    assertThat(root.entries().get(0).line()).isEqualTo(2);
    assertThat(root.entries().get(0).column()).isEqualTo(7);
  }

  @Test
  void reportsErrorsInHclsForm() {
    assertThatThrownBy(() -> HclParser.parse("a = [1 2]"))
        .isInstanceOfSatisfying(HclSyntaxException.class, e -> {
          assertThat(e).hasMessage("At 1:8: expected ',' or ']' in the list, found the number 2");
          assertThat(e.problem()).isEqualTo("expected ',' or ']' in the list, found the number 2");
          assertThat(e.line()).isEqualTo(1);
          assertThat(e.column()).isEqualTo(8);
        });
    assertThatThrownBy(() -> HclParser.parse("a = [1,"))
        .hasMessage("At 1:8: unexpected end of rules: the '[' at 1:5 is never closed");
    assertThatThrownBy(() -> HclParser.parse("= 1")).hasMessage(
        "At 1:1: expected a key such as service or operator, found '='");
    assertThatThrownBy(() -> HclParser.parse("k = \"\\u12\"")).hasMessage(
        "At 1:6: incomplete unicode escape in a string");
    assertThatThrownBy(() -> HclParser.parse("k = \"\\u12zz\"")).hasMessage(
        "At 1:6: invalid unicode escape \"12zz\" in a string");
    assertThatThrownBy(() -> HclParser.parse("k = \"\\u+041\"")).hasMessage(
        "At 1:6: invalid unicode escape \"+041\" in a string");
    assertThatThrownBy(() -> HclParser.parse("k = \"\\ud800\"")).hasMessage(
        "At 1:6: invalid unicode escape \"d800\" in a string");
    assertThatThrownBy(() -> HclParser.parse("k = \"\\xff\"")).hasMessageStartingWith(
        "At 1:6: escape \\xff is not ASCII");
    assertThatThrownBy(() -> HclParser.parse("k = \"abc")).hasMessage(
        "At 1:5: unterminated string: no closing '\"' before the end of the rules");
    assertThatThrownBy(() -> HclParser.parse("k = \"a\u0000\" ~")).hasMessage(
        "At 1:10: illegal character \"~\"");
  }
}
