package dev.connect.core.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One value of a parsed HCL or JSON document, with the line and column (both 1-based) where it
 * starts. Both the HCL parser and the JSON reader produce this tree, so one interpreter can turn
 * either form of a Consul ACL policy into rules.
 *
 * <p>HCL's block form is already desugared: {@code service "web" { policy = "write" }} is the
 * object entry {@code service = { "web" = { policy = "write" } }}, exactly what the JSON form
 * {@code {"service": {"web": {"policy": "write"}}}} reads as.
 */
public final class HclNode {
  /** What kind of value a node is. */
  public enum Kind {
    /** A quoted string; {@link #text()} is its unescaped value. */
    STRING,
    /** A number; {@link #text()} is the literal as written. */
    NUMBER,
    /** {@code true} or {@code false}; {@link #text()} is the literal. */
    BOOL,
    /** JSON's {@code null}; {@link #text()} is {@code null}. */
    NULL,
    /** An object; {@link #entries()} in source order, duplicate keys kept. */
    OBJECT,
    /** A list; {@link #items()} in source order. */
    LIST
  }

  /**
   * One key of an object with its value.
   *
   * @param key the key, unquoted
   * @param line the line of the key
   * @param column the column of the key
   * @param value the value
   */
  public record Entry(String key, int line, int column, HclNode value) {
    /** Checks that the parts are present. */
    public Entry {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
    }
  }

  private final Kind kind;
  private final int line;
  private final int column;
  private final String text;
  private final List<Entry> entries;
  private final List<HclNode> items;

  private HclNode(Kind kind, int line, int column, String text, List<Entry> entries,
      List<HclNode> items) {
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.text = text;
    this.entries = entries;
    this.items = items;
  }

  /** Returns a scalar node: a string, number, boolean or null. */
  public static HclNode scalar(Kind kind, int line, int column, String text) {
    if (kind == Kind.OBJECT || kind == Kind.LIST) {
      throw new IllegalArgumentException("not a scalar kind: " + kind);
    }
    return new HclNode(kind, line, column, text, List.of(), List.of());
  }

  /** Returns an object node. */
  public static HclNode object(int line, int column, List<Entry> entries) {
    return new HclNode(Kind.OBJECT, line, column, null, List.copyOf(entries), List.of());
  }

  /** Returns a list node. */
  public static HclNode list(int line, int column, List<HclNode> items) {
    return new HclNode(Kind.LIST, line, column, null, List.of(), List.copyOf(items));
  }

  /** Returns the kind of value. */
  public Kind kind() {
    return kind;
  }

  /** Returns the line where the value starts, from 1. */
  public int line() {
    return line;
  }

  /** Returns the column where the value starts, from 1. */
  public int column() {
    return column;
  }

  /** Returns the text of a scalar: the unescaped string, or the literal; null for others. */
  public String text() {
    return text;
  }

  /** Returns the entries of an object, empty for other kinds. */
  public List<Entry> entries() {
    return entries;
  }

  /** Returns the items of a list, empty for other kinds. */
  public List<HclNode> items() {
    return items;
  }

  /** Describes the value for an error message: a quoted string, a literal, "an object". */
  public String describe() {
    switch (kind) {
      case STRING:
        return AclGoSyntax.quote(text);
      case NUMBER:
      case BOOL:
        return text;
      case NULL:
        return "null";
      case OBJECT:
        return "an object";
      default:
        return "a list";
    }
  }
}
