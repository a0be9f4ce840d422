package dev.connect.consul;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.connect.consul.internal.GoJsonOutput;
import dev.connect.consul.internal.GoJsonSyntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The codec between Consul 1.10's JSON bodies and the wire records of this package, with Go's
 * {@code encoding/json} rules on both sides.
 *
 * <p>Decoding reads the first JSON value of a body as Go's decoder does: syntax errors carry Go's
 * text ({@code invalid character 'n' looking for beginning of object key string}), field names
 * match case-insensitively, numbers are not coerced from strings nor floats truncated to
 * integers, and invalid UTF-8 becomes U+FFFD. {@link #decodeRequest} is strict, as a Consul
 * agent is with request bodies ({@code json: unknown field "Bogus"}); {@link #decodeResponse}
 * ignores unknown fields, so that a client keeps working against a newer Consul.
 *
 * <p>Encoding writes fields in Consul's order, omits a record component that is {@code null}
 * (absent), sorts map keys as Go does, and escapes {@code <}, {@code >}, {@code &}, U+2028 and
 * U+2029 as six-character escapes (backslash, u, four lowercase hex digits). {@link JsonStyle#PRETTY} is Go's four-space {@code
 * MarshalIndent} with a trailing newline.
 *
 * <p>Thread-safe; Jackson stays behind this class.
 */
public final class ConsulJson {
  private static final ObjectMapper STRICT = mapper(true);
  private static final ObjectMapper LENIENT = mapper(false);
  private static final ObjectWriter COMPACT = STRICT.writer();
  private static final ObjectWriter PRETTY = STRICT.writer(new GoJsonOutput.Indent());

  private ConsulJson() {}

  /**
   * Decodes a request body strictly: unknown fields are refused, as a Consul agent refuses them.
   *
   * @param body the body bytes
   * @param shape what the body holds
   * @param <T> the decoded type
   * @return the decoded value; a JSON {@code null} decodes as {@code {}} (a record of absent
   *     fields), an empty list or an empty map, as Go leaves its zero value
   * @throws ConsulWireException with Go's error text naming the field or character at fault
   */
  public static <T> T decodeRequest(byte[] body, Shape<T> shape) {
    return decode(body, shape, STRICT);
  }

  /**
   * Decodes a response body, ignoring fields this version does not know.
   *
   * @param body the body bytes
   * @param shape what the body holds
   * @param <T> the decoded type
   * @return the decoded value, as {@link #decodeRequest} returns it
   * @throws ConsulWireException with Go's error text naming the field or character at fault
   */
  public static <T> T decodeResponse(byte[] body, Shape<T> shape) {
    return decode(body, shape, LENIENT);
  }

  /**
   * Encodes a wire record, a list or map of them, a {@code String} or a {@code Boolean} as a
   * Consul agent writes it.
   *
   * @param value the value
   * @param style compact (a normal agent) or pretty ({@code ?pretty}, {@code -dev} agents)
   * @return UTF-8 bytes
   * @throws IllegalArgumentException when {@code value} is not a type this codec knows
   */
  public static byte[] encode(Object value, JsonStyle style) {
    requireNonNull(value, "value");
    requireNonNull(style, "style");
    try {
      String text = style == JsonStyle.PRETTY
          ? PRETTY.writeValueAsString(value) + "\n"
          : COMPACT.writeValueAsString(value);
      return text.getBytes(UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getName()
          + " as Consul JSON: " + e.getOriginalMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T decode(byte[] body, Shape<T> shape, ObjectMapper mapper) {
    requireNonNull(body, "body");
    requireNonNull(shape, "shape");
    Optional<String> syntax = GoJsonSyntax.check(body);
    if (syntax.isPresent()) {
      throw new ConsulWireException(syntax.get());
    }
    JavaType type = javaType(shape);
    String text = new String(body, UTF_8);
    try (JsonParser parser = mapper.createParser(text)) {
      if (parser.nextToken() == JsonToken.VALUE_NULL) {
        return (T) zero(shape, mapper);
      }
      return mapper.readValue(parser, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ConsulWireException("json: unknown field \"" + e.getPropertyName() + "\"");
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConsulWireException(cause.getMessage() == null
          ? "invalid " + shape : cause.getMessage());
    } catch (MismatchedInputException e) {
      throw new ConsulWireException(typeError(shape, e.getPath(), parserToken(e), e));
    } catch (InputCoercionException e) {
      throw new ConsulWireException("json: cannot unmarshal number " + safeText(e.getProcessor())
          + " into Go value of type " + goType(e.getTargetType()));
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        throw new ConsulWireException(typeError(shape, e.getPath(), null, null) + ": "
            + cause.getMessage());
      }
      throw new ConsulWireException(typeError(shape, e.getPath(), null, null));
    } catch (JsonProcessingException e) {
      // The syntax check above has passed, so this is a limit (such as a number's length).
      throw new ConsulWireException("json: " + e.getOriginalMessage().replace('\n', ' '));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object zero(Shape<?> shape, ObjectMapper mapper) throws IOException {
    switch (shape.kind()) {
      case LIST:
        return List.of();
      case MAP:
      case MAP_OF_LISTS:
        return Map.of();
      default:
        if (shape.element() == String.class) {
          return "";
        }
        if (shape.element() == Boolean.class) {
          return Boolean.FALSE;
        }
        return mapper.readValue("{}", shape.element());
    }
  }

  private static JavaType javaType(Shape<?> shape) {
    TypeFactory t = STRICT.getTypeFactory();
    switch (shape.kind()) {
      case LIST:
        return t.constructCollectionType(List.class, shape.element());
      case MAP:
        return t.constructMapType(Map.class, String.class, shape.element());
      case MAP_OF_LISTS:
        return t.constructMapType(Map.class, t.constructType(String.class),
            t.constructCollectionType(List.class, shape.element()));
      default:
        return t.constructType(shape.element());
    }
  }

  private static JsonToken parserToken(MismatchedInputException e) {
    return e.getProcessor() instanceof JsonParser ? ((JsonParser) e.getProcessor()).currentToken()
        : null;
  }

  private static String safeText(Object processor) {
    if (processor instanceof JsonParser) {
      try {
        return Texts.escape(((JsonParser) processor).getText(), 40);
      } catch (IOException e) {
        return "";
      }
    }
    return "";
  }

  private static String typeError(Shape<?> shape, List<JsonMappingException.Reference> path,
      JsonToken token, MismatchedInputException e) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        field.append('.').append(Texts.escape(r.getFieldName(), 64));
      }
    }
    String value = jsonKind(token, e);
    String target = e != null && e.getTargetType() != null ? goType(e.getTargetType()) : "";
    String root = goName(shape.element());
    if (field.length() == 0) {
      return "json: cannot unmarshal " + value + " into Go value of type "
          + (shape.kind() == Shape.Kind.VALUE ? "structs." + root : goShape(shape));
    }
    return "json: cannot unmarshal " + value + " into Go struct field " + root + field
        + (target.isEmpty() ? "" : " of type " + target);
  }

  private static String jsonKind(JsonToken token, MismatchedInputException e) {
    if (e instanceof InvalidFormatException) {
      Object v = ((InvalidFormatException) e).getValue();
      if (v instanceof String) {
        return "string";
      }
      if (v instanceof Boolean) {
        return "bool";
      }
      if (v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal) {
        return "number " + new java.math.BigDecimal(v.toString()).stripTrailingZeros()
            .toPlainString();
      }
      if (v instanceof Number) {
        return "number";
      }
    }
    if (token == null || e != null && token == JsonToken.END_OBJECT) {
      return e == null ? "value" : kindFromMessage(e.getOriginalMessage());
    }
    switch (token) {
      case START_OBJECT:
      case END_OBJECT:
      case FIELD_NAME:
        return "object";
      case START_ARRAY:
      case END_ARRAY:
        return "array";
      case VALUE_STRING:
        return "string";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "bool";
      case VALUE_NUMBER_FLOAT:
        return e != null && e.getProcessor() instanceof JsonParser
            ? "number " + safeText(e.getProcessor()) : "number";
      case VALUE_NUMBER_INT:
        return "number";
      default:
        return "value";
    }
  }

  /** Jackson names the JSON value it could not coerce in its message; Go names its kind. */
  private static String kindFromMessage(String message) {
    String m = message == null ? "" : message;
    if (m.contains("String value") || m.contains("from String") || m.startsWith("parsing time")) {
      return "string";
    }
    if (m.contains("Array value") || m.contains("from Array")) {
      return "array";
    }
    if (m.contains("Object value") || m.contains("from Object")) {
      return "object";
    }
    if (m.contains("Boolean value") || m.contains("from Boolean")) {
      return "bool";
    }
    if (m.contains("Floating-point value") || m.contains("Integer value")) {
      return "number";
    }
    return "value";
  }

  private static String goShape(Shape<?> shape) {
    String e = "structs." + goName(shape.element());
    switch (shape.kind()) {
      case LIST:
        return "[]" + e;
      case MAP:
        return "map[string]" + e;
      default:
        return "map[string][]" + e;
    }
  }

  private static String goName(Class<?> type) {
    String name = type.getSimpleName();
    return name.endsWith("Wire") ? name.substring(0, name.length() - 4) : name;
  }

  private static String goType(Class<?> type) {
    if (type == null) {
      return "";
    }
    if (type == String.class) {
      return "string";
    }
    if (type == Integer.class || type == int.class) {
      return "int";
    }
    if (type == Long.class || type == long.class || type == BigInteger.class) {
      return "uint64";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "bool";
    }
    if (type == Instant.class) {
      return "time.Time";
    }
    if (List.class.isAssignableFrom(type)) {
      return "[]interface {}";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "map[string]interface {}";
    }
    return "structs." + goName(type);
  }

  private static ObjectMapper mapper(boolean strict) {
    JsonFactory factory = new JsonFactoryBuilder()
        .characterEscapes(new GoJsonOutput.Escapes())
        .build();
    SimpleModule time = new SimpleModule("go-time");
    time.addSerializer(Instant.class, new JsonSerializer<Instant>() {
      @Override
      public void serialize(Instant value, JsonGenerator g, SerializerProvider p)
          throws IOException {
        g.writeString(GoTime.format(value));
      }
    });
    time.addDeserializer(Instant.class, new JsonDeserializer<Instant>() {
      @Override
      public Instant deserialize(JsonParser p, DeserializationContext c) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
          return (Instant) c.handleUnexpectedToken(Instant.class, p);
        }
        try {
          return GoTime.parse(p.getText());
        } catch (IllegalArgumentException e) {
          throw MismatchedInputException.from(p, Instant.class,
              "parsing time \"" + Texts.escape(p.getText(), 64) + "\" as RFC 3339");
        }
      }
    });
    return JsonMapper.builder(factory)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(MapperFeature.AUTO_DETECT_GETTERS)
        .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, strict)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
            JsonInclude.Include.ALWAYS))
        .addModule(time)
        // Go refuses a number or bool where a string goes, and a number where a bool goes.
        .withCoercionConfig(LogicalType.Textual, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Boolean, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
        .build();
  }
}
