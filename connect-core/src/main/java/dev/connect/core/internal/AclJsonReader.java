package dev.connect.core.internal;

import dev.connect.core.internal.HclNode.Entry;
import dev.connect.core.internal.HclNode.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict JSON (RFC 8259) reader for the JSON form of ACL policies, producing the same
 * {@link HclNode} tree as {@link HclParser}. Positions are 1-based lines and columns; duplicate
 * keys are kept for the caller to judge.
 */
public final class AclJsonReader {
  private final String src;
  private int pos;
  private int line = 1;
  private int column = 1;
  private int depth;

  private AclJsonReader(String src) {
    this.src = src;
  }

  /**
   * Reads a JSON document whose top level is an object.
   *
   * @param text the document
   * @return the root object
   * @throws HclSyntaxException naming the line, column and offending text of the first error
   */
  public static HclNode parse(String text) {
    AclJsonReader reader = new AclJsonReader(text);
    reader.skipSpace();
    if (reader.peek() != '{') {
      throw reader.error("expected '{' at the start of JSON rules, found " + reader.found());
    }
    HclNode root = reader.value();
    reader.skipSpace();
    if (reader.pos < reader.src.length()) {
      throw reader.error("unexpected " + reader.found() + " after the end of the JSON object");
    }
    return root;
  }

  private HclNode value() {
    skipSpace();
    int l = line;
    int c = column;
    char ch = peek();
    switch (ch) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return HclNode.scalar(Kind.STRING, l, c, string());
      case 't':
        literal("true");
        return HclNode.scalar(Kind.BOOL, l, c, "true");
      case 'f':
        literal("false");
        return HclNode.scalar(Kind.BOOL, l, c, "false");
      case 'n':
        literal("null");
        return HclNode.scalar(Kind.NULL, l, c, null);
      default:
        if (ch == '-' || ch >= '0' && ch <= '9') {
          return HclNode.scalar(Kind.NUMBER, l, c, number());
        }
        throw error("expected a JSON value, found " + found());
    }
  }

  private HclNode object() {
    int l = line;
    int c = column;
    enter();
    advance();
    List<Entry> entries = new ArrayList<>();
    skipSpace();
    if (peek() == '}') {
      advance();
      depth--;
      return HclNode.object(l, c, entries);
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a quoted key in the object, found " + found());
      }
      int kl = line;
      int kc = column;
      String key = string();
      skipSpace();
      if (peek() != ':') {
        throw error("expected ':' after the key " + AclGoSyntax.quote(key) + ", found "
            + found());
      }
      advance();
      entries.add(new Entry(key, kl, kc, value()));
      skipSpace();
      if (peek() == ',') {
        advance();
      } else if (peek() == '}') {
        advance();
        depth--;
        return HclNode.object(l, c, entries);
      } else {
        throw error("expected ',' or '}' in the object, found " + found());
      }
    }
  }

  private HclNode array() {
    int l = line;
    int c = column;
    enter();
    advance();
    List<HclNode> items = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      advance();
      depth--;
      return HclNode.list(l, c, items);
    }
    while (true) {
      items.add(value());
      skipSpace();
      if (peek() == ',') {
        advance();
      } else if (peek() == ']') {
        advance();
        depth--;
        return HclNode.list(l, c, items);
      } else {
        throw error("expected ',' or ']' in the array, found " + found());
      }
    }
  }

  private void enter() {
    if (++depth > HclParser.MAX_DEPTH) {
      throw error("nested more than " + HclParser.MAX_DEPTH + " levels deep");
    }
  }

  private String string() {
    int l = line;
    int c = column;
    advance();
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw new HclSyntaxException(l, c, "unterminated string: no closing '\"'");
      }
      char ch = src.charAt(pos);
      if (ch == '"') {
        advance();
        return out.toString();
      }
      if (ch < 0x20) {
        throw error("control character " + AclGoSyntax.quote(String.valueOf(ch))
            + " in a string (JSON requires it escaped)");
      }
      if (ch != '\\') {
        out.append(ch);
        advance();
        continue;
      }
      int el = line;
      int ec = column;
      advance();
      char e = peek();
      if (pos < src.length()) {
        advance();
      }
      switch (e) {
        case '"':
          out.append('"');
          break;
        case '\\':
          out.append('\\');
          break;
        case '/':
          out.append('/');
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u': {
          if (pos + 4 > src.length()) {
            throw new HclSyntaxException(el, ec, "incomplete \\u escape in a string");
          }
          String hex = src.substring(pos, pos + 4);
          int unit = parseHex(hex);
          if (unit < 0) {
            throw new HclSyntaxException(el, ec, "invalid \\u escape "
                + AclGoSyntax.quote(hex) + " in a string");
          }
          out.append((char) unit);
          for (int i = 0; i < 4; i++) {
            advance();
          }
          break;
        }
        default:
          throw new HclSyntaxException(el, ec, "invalid escape "
              + AclGoSyntax.quote("\\" + (e == '\0' ? "" : String.valueOf(e))) + " in a string");
      }
    }
  }

  /** Returns the value of ASCII hex digits (no sign, at most 8), or -1 if one is not a digit. */
  static int parseHex(String hex) {
    long value = 0;
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      int digit = c < 128 ? Character.digit(c, 16) : -1;
      if (digit < 0) {
        return -1;
      }
      value = value * 16 + digit;
    }
    return value > Integer.MAX_VALUE ? -1 : (int) value;
  }

  private String number() {
    int start = pos;
    if (peek() == '-') {
      advance();
    }
    if (peek() == '0') {
      advance();
    } else if (peek() >= '1' && peek() <= '9') {
      digits();
    } else {
      throw error("invalid number: expected a digit, found " + found());
    }
    if (peek() == '.') {
      advance();
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("invalid number: expected a digit after '.', found " + found());
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      advance();
      if (peek() == '+' || peek() == '-') {
        advance();
      }
      if (!(peek() >= '0' && peek() <= '9')) {
        throw error("invalid number: expected a digit in the exponent, found " + found());
      }
      digits();
    }
    return src.substring(start, pos);
  }

  private void digits() {
    while (peek() >= '0' && peek() <= '9') {
      advance();
    }
  }

  private void literal(String word) {
    if (!src.startsWith(word, pos)) {
      throw error("expected a JSON value, found " + found());
    }
    for (int i = 0; i < word.length(); i++) {
      advance();
    }
  }

  private void skipSpace() {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || pos == 0 && c == '\ufeff') {
        advance();
      } else {
        return;
      }
    }
  }

  private char peek() {
    return pos < src.length() ? src.charAt(pos) : '\0';
  }

  private String found() {
    if (pos >= src.length()) {
      return "the end of the rules";
    }
    int end = pos;
    while (end < src.length() && end - pos < 20 && !Character.isWhitespace(src.charAt(end))) {
      end++;
    }
    return AclGoSyntax.quote(src.substring(pos, Math.max(end, pos + 1)));
  }

  private HclSyntaxException error(String problem) {
    return new HclSyntaxException(line, column, problem);
  }

  private void advance() {
    if (src.charAt(pos) == '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    pos++;
  }
}
