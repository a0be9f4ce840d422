package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The Java type a Consul JSON body decodes into: a wire record, a list or a map of them (Consul's
 * {@code /v1/agent/services} and {@code /v1/connect/intentions/match} answer maps keyed by ID or
 * name).
 *
 * @param <T> the decoded type
 */
public final class Shape<T> {
  enum Kind { VALUE, LIST, MAP, MAP_OF_LISTS }

  private final Kind kind;
  private final Class<?> element;

  private Shape(Kind kind, Class<?> element) {
    this.kind = kind;
    this.element = requireNonNull(element, "element");
  }

  /**
   * Returns the shape of one value.
   *
   * @param type a wire record, {@code String} or {@code Boolean}
   * @param <T> the type
   * @return the shape
   */
  public static <T> Shape<T> of(Class<T> type) {
    return new Shape<>(Kind.VALUE, type);
  }

  /**
   * Returns the shape of a JSON array of {@code element}.
   *
   * @param element the element type
   * @param <T> the element type
   * @return the shape
   */
  public static <T> Shape<List<T>> listOf(Class<T> element) {
    return new Shape<>(Kind.LIST, element);
  }

  /**
   * Returns the shape of a JSON object whose values are {@code element}, in key order.
   *
   * @param element the value type
   * @param <T> the value type
   * @return the shape
   */
  public static <T> Shape<Map<String, T>> mapOf(Class<T> element) {
    return new Shape<>(Kind.MAP, element);
  }

  /**
   * Returns the shape of a JSON object whose values are arrays of {@code element}.
   *
   * @param element the element type
   * @param <T> the element type
   * @return the shape
   */
  public static <T> Shape<Map<String, List<T>>> mapOfListsOf(Class<T> element) {
    return new Shape<>(Kind.MAP_OF_LISTS, element);
  }

  Kind kind() {
    return kind;
  }

  Class<?> element() {
    return element;
  }

  @Override
  public String toString() {
    switch (kind) {
      case LIST:
        return "List<" + element.getSimpleName() + ">";
      case MAP:
        return "Map<String, " + element.getSimpleName() + ">";
      case MAP_OF_LISTS:
        return "Map<String, List<" + element.getSimpleName() + ">>";
      default:
        return element.getSimpleName();
    }
  }
}
