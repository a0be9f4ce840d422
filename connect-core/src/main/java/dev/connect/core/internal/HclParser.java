package dev.connect.core.internal;

import dev.connect.core.internal.HclNode.Entry;
import dev.connect.core.internal.HclNode.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A parser for the subset of HCL (version 1, as Consul's {@code hcl.Decode} reads it) that ACL
 * policies use.
 *
 * <ul>
 *   <li>Items {@code key = value} and blocks {@code key "label" ... { body }}; keys and labels are
 *       identifiers or quoted strings; items are separated by newlines, spaces or commas.
 *   <li>Values: quoted strings (escapes {@code \" \\ \n \t \r \a \b \f \v \xNN},
 *       {@code \}{@code uXXXX}, {@code \}{@code UXXXXXXXX}), numbers, {@code true}/{@code false},
 *       objects {@code { ... }} and lists {@code [a, b]}.
 *   <li>Comments {@code #}, {@code //} (to the end of the line) and {@code /* ... *}{@code /}.
 * </ul>
 *
 * <p>Heredocs and HCL2 expressions are not supported; they are not used in policies. A string
 * may not span lines, as in HCL.
 */
public final class HclParser {
  /** Deeper nesting than this is refused, so hostile input cannot exhaust the stack. */
  static final int MAX_DEPTH = 32;

  private enum Token { IDENT, STRING, NUMBER, LBRACE, RBRACE, LBRACK, RBRACK, ASSIGN, COMMA, EOF }

  private final String src;
  private int pos;
  private int line = 1;
  private int column = 1;

  private Token token;
  private String value;
  private int tokenLine;
  private int tokenColumn;
  private int depth;

  private HclParser(String src) {
    this.src = src;
  }

  /**
   * Parses an HCL document into an object node.
   *
   * @param text the document
   * @return the root object
   * @throws HclSyntaxException naming the line, column and offending text of the first error
   */
  public static HclNode parse(String text) {
    HclParser parser = new HclParser(text);
    parser.next();
    return parser.body(1, 1, true);
  }

  private HclNode body(int line, int column, boolean root) {
    List<Entry> entries = new ArrayList<>();
    while (true) {
      if (token == Token.EOF) {
        if (root) {
          break;
        }
        throw error("unexpected end of rules: the '{' at " + line + ":" + column
            + " is never closed");
      }
      if (token == Token.RBRACE) {
        if (!root) {
          break;
        }
        throw error("unexpected '}' with no block open");
      }
      entries.add(item());
      if (token == Token.COMMA) {
        next();
      }
    }
    return HclNode.object(line, column, entries);
  }

  private Entry item() {
    List<Entry> keys = new ArrayList<>();
    while (token == Token.IDENT || token == Token.STRING) {
      keys.add(new Entry(value, tokenLine, tokenColumn, HclNode.list(0, 0, List.of())));
      next();
    }
    if (keys.isEmpty()) {
      throw error("expected a key such as service or operator, found " + describeToken());
    }
    HclNode result;
    if (token == Token.ASSIGN) {
      if (keys.size() > 1) {
        throw error("expected '{' after " + keyText(keys) + ", found '='"
            + " (a labelled block takes no '=')");
      }
      next();
      result = value(keys.get(0));
    } else if (token == Token.LBRACE) {
      result = object();
    } else {
      throw error("expected '=' or '{' after " + keyText(keys) + ", found " + describeToken());
    }
    for (int i = keys.size() - 1; i >= 1; i--) {
      Entry k = keys.get(i);
      result = HclNode.object(k.line(), k.column(),
          List.of(new Entry(k.key(), k.line(), k.column(), result)));
    }
    Entry first = keys.get(0);
    return new Entry(first.key(), first.line(), first.column(), result);
  }

  private HclNode object() {
    int l = tokenLine;
    int c = tokenColumn;
    enter();
    next();
    HclNode node = body(l, c, false);
    next();
    depth--;
    return node;
  }

  private HclNode value(Entry key) {
    int l = tokenLine;
    int c = tokenColumn;
    switch (token) {
      case STRING: {
        HclNode node = HclNode.scalar(Kind.STRING, l, c, value);
        next();
        return node;
      }
      case NUMBER: {
        HclNode node = HclNode.scalar(Kind.NUMBER, l, c, value);
        next();
        return node;
      }
      case IDENT: {
        if (value.equals("true") || value.equals("false")) {
          HclNode node = HclNode.scalar(Kind.BOOL, l, c, value);
          next();
          return node;
        }
        throw error("expected a value after " + AclGoSyntax.quote(key.key()) + " =, found the"
            + " unquoted word " + AclGoSyntax.quote(value) + " (values are quoted: \"" + value
            + "\")");
      }
      case LBRACE:
        return object();
      case LBRACK:
        return list(key);
      default:
        throw error("expected a value after " + AclGoSyntax.quote(key.key()) + " =, found "
            + describeToken());
    }
  }

  private HclNode list(Entry key) {
    int l = tokenLine;
    int c = tokenColumn;
    enter();
    next();
    List<HclNode> items = new ArrayList<>();
    while (token != Token.RBRACK) {
      if (token == Token.EOF) {
        throw error("unexpected end of rules: the '[' at " + l + ":" + c + " is never closed");
      }
      items.add(value(key));
      if (token == Token.COMMA) {
        next();
      } else if (token != Token.RBRACK) {
        throw error("expected ',' or ']' in the list, found " + describeToken());
      }
    }
    next();
    depth--;
    return HclNode.list(l, c, items);
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested more than " + MAX_DEPTH + " levels deep");
    }
  }

  private static String keyText(List<Entry> keys) {
    StringBuilder out = new StringBuilder();
    for (Entry k : keys) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(AclGoSyntax.quote(k.key()));
    }
    return out.toString();
  }

  private String describeToken() {
    switch (token) {
      case IDENT:
        return "the word " + AclGoSyntax.quote(value);
      case STRING:
        return "the string " + AclGoSyntax.quote(value);
      case NUMBER:
        return "the number " + value;
      case EOF:
        return "the end of the rules";
      default:
        return "'" + value + "'";
    }
  }

  private HclSyntaxException error(String problem) {
    return new HclSyntaxException(tokenLine, tokenColumn, problem);
  }

  private HclSyntaxException errorHere(String problem) {
    return new HclSyntaxException(line, column, problem);
  }

  // ---- scanner ----

  private void next() {
    skipSpaceAndComments();
    tokenLine = line;
    tokenColumn = column;
    if (pos >= src.length()) {
      token = Token.EOF;
      value = "";
      return;
    }
    char c = src.charAt(pos);
    switch (c) {
      case '{':
        single(Token.LBRACE, c);
        return;
      case '}':
        single(Token.RBRACE, c);
        return;
      case '[':
        single(Token.LBRACK, c);
        return;
      case ']':
        single(Token.RBRACK, c);
        return;
      case '=':
        single(Token.ASSIGN, c);
        return;
      case ',':
        single(Token.COMMA, c);
        return;
      case '"':
        string();
        return;
      default:
        break;
    }
    if (isDigit(c) || c == '-' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1))) {
      number();
    } else if (Character.isLetter(c) || c == '_') {
      int start = pos;
      while (pos < src.length() && isIdentPart(src.charAt(pos))) {
        advance();
      }
      token = Token.IDENT;
      value = src.substring(start, pos);
    } else {
      throw errorHere("illegal character " + AclGoSyntax.quote(String.valueOf(c)));
    }
  }

  private void single(Token t, char c) {
    advance();
    token = t;
    value = String.valueOf(c);
  }

  private void number() {
    int start = pos;
    if (src.charAt(pos) == '-') {
      advance();
    }
    while (pos < src.length() && (isDigit(src.charAt(pos)) || src.charAt(pos) == '.'
        || src.charAt(pos) == 'e' || src.charAt(pos) == 'E'
        || (src.charAt(pos) == '+' || src.charAt(pos) == '-')
        && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E'))) {
      advance();
    }
    token = Token.NUMBER;
    value = src.substring(start, pos);
  }

  private void string() {
    advance();
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw error("unterminated string: no closing '\"' before the end of the rules");
      }
      char c = src.charAt(pos);
      if (c == '"') {
        advance();
        break;
      }
      if (c == '\n' || c == '\r') {
        throw error("unterminated string: no closing '\"' before the end of the line");
      }
      if (c != '\\') {
        out.append(c);
        advance();
        continue;
      }
      int escLine = line;
      int escColumn = column;
      advance();
      if (pos >= src.length()) {
        throw error("unterminated string: no closing '\"' before the end of the rules");
      }
      char e = src.charAt(pos);
      advance();
      switch (e) {
        case '"':
          out.append('"');
          break;
        case '\\':
          out.append('\\');
          break;
        case 'n':
          out.append('\n');
          break;
        case 't':
          out.append('\t');
          break;
        case 'r':
          out.append('\r');
          break;
        case 'a':
          out.append((char) 7);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'v':
          out.append((char) 11);
          break;
        case 'x': {
          int b = hex(2, escLine, escColumn);
          if (b >= 0x80) {
            throw new HclSyntaxException(escLine, escColumn, "escape \\x" + Integer.toHexString(b)
                + " is not ASCII; write the character or a \\u escape");
          }
          out.append((char) b);
          break;
        }
        case 'u':
          out.appendCodePoint(hex(4, escLine, escColumn));
          break;
        case 'U':
          out.appendCodePoint(hex(8, escLine, escColumn));
          break;
        default:
          throw new HclSyntaxException(escLine, escColumn, "invalid escape "
              + AclGoSyntax.quote("\\" + e) + " in a string");
      }
    }
    token = Token.STRING;
    value = out.toString();
  }

  private int hex(int digits, int escLine, int escColumn) {
    if (pos + digits > src.length()) {
      throw new HclSyntaxException(escLine, escColumn, "incomplete unicode escape in a string");
    }
    String hex = src.substring(pos, pos + digits);
    int cp = AclJsonReader.parseHex(hex);
    if (cp < 0 || cp > Character.MAX_CODE_POINT || cp >= 0xd800 && cp <= 0xdfff) {
      throw new HclSyntaxException(escLine, escColumn, "invalid unicode escape "
          + AclGoSyntax.quote(hex) + " in a string");
    }
    for (int i = 0; i < digits; i++) {
      advance();
    }
    return cp;
  }

  private void skipSpaceAndComments() {
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\ufeff') {
        advance();
      } else if (c == '#' || c == '/' && peek(1) == '/') {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          advance();
        }
      } else if (c == '/' && peek(1) == '*') {
        int l = line;
        int col = column;
        advance();
        advance();
        while (!(src.startsWith("*/", pos))) {
          if (pos >= src.length()) {
            throw new HclSyntaxException(l, col, "unterminated comment: no '*/' after '/*'");
          }
          advance();
        }
        advance();
        advance();
      } else {
        return;
      }
    }
  }

  private char peek(int ahead) {
    return pos + ahead < src.length() ? src.charAt(pos + ahead) : '\0';
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

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }
}
