package dev.connect.consul;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad request bodies get Go's error text naming the character, field or type at fault. */
class ConsulJsonErrorsTest {

  private static String decodeError(String body) {
    try {
      ConsulJson.decodeRequest(body.getBytes(UTF_8), Shape.of(IntentionWire.class));
    } catch (ConsulWireException e) {
      return e.getMessage();
    }
    throw new AssertionError("decoded: " + body);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{not json|invalid character 'n' looking for beginning of object key string",
      "|EOF",
      "   |EOF",
      "{\"SourceName\":|unexpected EOF",
      "{\"SourceName\" \"web\"}|invalid character '\"' after object key",
      "{\"SourceName\":\"web\" \"x\"}|invalid character '\"' after object key:value pair",
      "[1 2]|invalid character '2' after array element",
      "x|invalid character 'x' looking for beginning of value",
      "{\"A\":tru}|invalid character '}' in literal true (expecting 'e')",
      "{\"A\":-x}|invalid character 'x' in numeric literal",
      "{\"A\":1.}|invalid character '}' after decimal point in numeric literal",
      "{\"A\":\"\\q\"}|invalid character 'q' in string escape code",
      "{\"A\":\"\\u12G4\"}|invalid character 'G' in \\u hexadecimal character escape",
      "{'A':1}|invalid character '\\'' looking for beginning of object key string",
  })
  void malformedJsonGetsGoSyntaxErrors(String body, String expected) {
    assertThat(decodeError(body == null ? "" : body)).isEqualTo(expected);
  }

  @Test
  void controlCharacterInStringIsNamedAsGoQuotesIt() {
    assertThat(decodeError("{\"SourceName\":\"a\u0001b\"}"))
        .isEqualTo("invalid character '\\x01' in string literal");
  }

  @Test
  void unknownFieldIsRefusedWithConsulsText() {
    assertThat(decodeError("{\"SourceName\":\"web\",\"Bogus\":1}"))
        .isEqualTo("json: unknown field \"Bogus\"");
    ConsulWireException e = org.junit.jupiter.api.Assertions.assertThrows(
        ConsulWireException.class, () -> ConsulJson.decodeRequest(
            "{\"Bogus\":1}".getBytes(UTF_8), Shape.of(IntentionWire.class)));
    assertThat(e.requestBodyMessage())
        .isEqualTo("Failed to decode request body: json: unknown field \"Bogus\"");
  }

  @Test
  void unknownFieldIsIgnoredInResponses() {
    IntentionWire w = ConsulJson.decodeResponse(
        "{\"SourceName\":\"web\",\"NewInConsul2\":{\"x\":[1]}}".getBytes(UTF_8),
        Shape.of(IntentionWire.class));
    assertThat(w.sourceName()).isEqualTo("web");
  }

  @Test
  void wrongTypesNameTheFieldAndTheTypes() {
    assertThat(decodeError("{\"Precedence\":\"9\"}")).isEqualTo(
        "json: cannot unmarshal string into Go struct field Intention.Precedence of type int");
    assertThat(decodeError("{\"Precedence\":1.5}")).isEqualTo(
        "json: cannot unmarshal number 1.5 into Go struct field Intention.Precedence of type int");
    assertThat(decodeError("{\"SourceName\":7}")).isEqualTo(
        "json: cannot unmarshal number into Go struct field Intention.SourceName of type string");
    assertThat(decodeError("{\"Meta\":[]}")).startsWith(
        "json: cannot unmarshal array into Go struct field Intention.Meta");
    assertThat(decodeError("[]")).isEqualTo(
        "json: cannot unmarshal array into Go value of type structs.Intention");
    assertThat(decodeError("{\"CreatedAt\":\"yesterday\"}")).startsWith(
        "json: cannot unmarshal string into Go struct field Intention.CreatedAt");
  }

  @Test
  void fieldNamesMatchCaseInsensitivelyAsGoDoes() {
    IntentionWire w = ConsulJson.decodeRequest(
        "{\"sourcename\":\"web\",\"DESTINATIONNAME\":\"db\",\"action\":\"allow\"}".getBytes(UTF_8),
        Shape.of(IntentionWire.class));
    assertThat(w.toIntention().toString()).isEqualTo("default/web => default/db"
        + " (Precedence: 9, Action: ALLOW)");
  }

  @Test
  void nullBodyDecodesAsGoZeroValue() {
    assertThat(ConsulJson.decodeRequest("null".getBytes(UTF_8), Shape.of(IntentionWire.class))
        .sourceName()).isNull();
    assertThat(ConsulJson.decodeRequest("null".getBytes(UTF_8),
        Shape.listOf(IntentionWire.class))).isEmpty();
  }

  @Test
  void deeplyNestedBodyIsRefusedNotOverflowed() {
    String body = "{\"Meta\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThat(decodeError(body)).isEqualTo("exceeded max depth");
  }

  @Test
  void invalidUtf8BecomesReplacementCharacterAsInGo() {
    byte[] body = {'{', '"', 'S', 'o', 'u', 'r', 'c', 'e', 'N', 'a', 'm', 'e', '"', ':', '"',
        (byte) 0xff, '"', '}'};
    assertThat(ConsulJson.decodeRequest(body, Shape.of(IntentionWire.class)).sourceName())
        .isEqualTo("\ufffd");
  }

  @Test
  void nullElementInAListNamesTheField() {
    assertThat(decodeError("{\"Permissions\":[null]}"))
        .isEqualTo("Permissions must not contain null");
  }

  @Test
  void encodingEscapesAsGoDoes() {
    String out = new String(ConsulJson.encode(new AuthorizeReplyWire(true,
        "a => b <c> & \u2028 \u0001 \n"), JsonStyle.COMPACT), UTF_8);
    assertThat(out).isEqualTo("{\"Authorized\":true,\"Reason\":"
        + "\"a =\\u003e b \\u003cc\\u003e \\u0026 \\u2028 \\u0001 \\n\"}");
  }

  @Test
  void prettyIsGoMarshalIndentWithTrailingNewline() {
    Map<String, List<IntentionWire>> match = Map.of("nomatch", List.of(), "db", List.of(
        new IntentionWire(null, null, null, null, "default", "web", "default", "db", "consul",
            "allow", null, Map.of(), 9, null, 5L, 5L)));
    String out = new String(ConsulJson.encode(match, JsonStyle.PRETTY), UTF_8);
    assertThat(out).isEqualTo("{\n"
        + "    \"db\": [\n"
        + "        {\n"
        + "            \"SourceNS\": \"default\",\n"
        + "            \"SourceName\": \"web\",\n"
        + "            \"DestinationNS\": \"default\",\n"
        + "            \"DestinationName\": \"db\",\n"
        + "            \"SourceType\": \"consul\",\n"
        + "            \"Action\": \"allow\",\n"
        + "            \"Meta\": {},\n"
        + "            \"Precedence\": 9,\n"
        + "            \"CreateIndex\": 5,\n"
        + "            \"ModifyIndex\": 5\n"
        + "        }\n"
        + "    ],\n"
        + "    \"nomatch\": []\n"
        + "}\n");
  }
}
