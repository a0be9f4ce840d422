package dev.connect.http.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place JSON is read and written by the HTTP API: Consul's layout (compact; {@code
 * ?pretty} is Go's four-space indent and a newline) and Go's escaping of {@code <}, {@code >},
 * {@code &}. This is a seam, not a codec of our own: once connect-consul is on main it delegates
 * to {@code dev.connect.consul.ConsulJson} and its wire records.
 */
final class Json {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  static {
    MAPPER.getFactory().setCharacterEscapes(new GoEscapes());
  }

  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
      Separators.createDefaultInstance()
          .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
          .withObjectEmptySeparator("")
          .withArrayEmptySeparator(""))
      .withObjectIndenter(new DefaultIndenter("    ", "\n"))
      .withArrayIndenter(new DefaultIndenter("    ", "\n"));

  private Json() {}

  /** Encodes maps, lists, strings, numbers, booleans and nulls. */
  static byte[] write(Object value, boolean pretty) {
    try {
      if (pretty) {
        return (MAPPER.writer(PRETTY).writeValueAsString(value) + "\n").getBytes(UTF_8);
      }
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getName(), e);
    }
  }

  /**
   * Decodes a request body that must be a JSON object; a 400 {@code Request decode failed: ...}
   * otherwise ({@code EOF} for an empty body, as Go says).
   */
  static Map<String, Object> readObject(byte[] body, String prefix) {
    if (body.length == 0 || new String(body, UTF_8).isBlank()) {
      throw ApiException.badRequest(prefix + "EOF");
    }
    Object value;
    try {
      value = MAPPER.readValue(body, Object.class);
    } catch (java.io.IOException e) {
      String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw ApiException.badRequest(prefix + firstLine(m));
    }
    if (!(value instanceof Map)) {
      throw ApiException.badRequest(prefix + "json: cannot unmarshal "
          + kind(value) + " into Go value of type map[string]interface {}");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    return new LinkedHashMap<>(map);
  }

  /** Go's name for a JSON value's kind, as in its type errors. */
  static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Number) {
      return "number";
    }
    if (v instanceof java.util.List) {
      return "array";
    }
    return "object";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Go's encoder escapes {@code <}, {@code >} and {@code &} as six-character escapes. */
  private static final class GoEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] table;

    GoEscapes() {
      table = standardAsciiEscapesForJSON();
      table['<'] = ESCAPE_CUSTOM;
      table['>'] = ESCAPE_CUSTOM;
      table['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return table;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return new com.fasterxml.jackson.core.io.SerializedString(
          String.format("\\u%04x", ch));
    }
  }
}
