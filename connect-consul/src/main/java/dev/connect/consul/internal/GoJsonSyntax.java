package dev.connect.consul.internal;

import java.util.Optional;

/**
 * Checks the first JSON value of a request body as Go's {@code json.Decoder.Decode} does and
 * returns Go's error text, so that a malformed body gets the message a Consul agent gives
 * ({@code invalid character 'n' looking for beginning of object key string}, {@code EOF},
 * {@code unexpected EOF}). Like the decoder, it reads one value and ignores what follows it.
 */
public final class GoJsonSyntax {
  /** Deeper nesting than this is refused; Go's own limit is 10000. */
  public static final int MAX_DEPTH = 512;

  private final byte[] in;
  private int pos;

  private GoJsonSyntax(byte[] in) {
    this.in = in;
  }

  /**
   * Returns Go's error text for the first JSON value in {@code body}, or empty when it is
   * well-formed.
   */
  public static Optional<String> check(byte[] body) {
    GoJsonSyntax s = new GoJsonSyntax(body);
    try {
      s.skipSpace();
      if (s.pos == body.length) {
        return Optional.of("EOF");
      }
      s.value(0);
      return Optional.empty();
    } catch (Failure f) {
      return Optional.of(f.getMessage());
    }
  }

  private static final class Failure extends Exception {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private Failure eof() {
    return new Failure("unexpected EOF");
  }

  private Failure invalid(int c, String context) {
    return new Failure("invalid character " + quoteChar(c) + " " + context);
  }

  private int peek() throws Failure {
    if (pos >= in.length) {
      throw eof();
    }
    return in[pos] & 0xff;
  }

  private void skipSpace() {
    while (pos < in.length) {
      int c = in[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void value(int depth) throws Failure {
    skipSpace();
    int c = peek();
    switch (c) {
      case '{':
        object(depth + 1);
        return;
      case '[':
        array(depth + 1);
        return;
      case '"':
        string();
        return;
      case 't':
        literal("true");
        return;
      case 'f':
        literal("false");
        return;
      case 'n':
        literal("null");
        return;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
          return;
        }
        throw invalid(c, "looking for beginning of value");
    }
  }

  private void object(int depth) throws Failure {
    if (depth > MAX_DEPTH) {
      throw new Failure("exceeded max depth");
    }
    pos++; // '{'
    skipSpace();
    int c = peek();
    if (c == '}') {
      pos++;
      return;
    }
    while (true) {
      if (c != '"') {
        throw invalid(c, "looking for beginning of object key string");
      }
      string();
      skipSpace();
      c = peek();
      if (c != ':') {
        throw invalid(c, "after object key");
      }
      pos++;
      value(depth);
      skipSpace();
      c = peek();
      if (c == '}') {
        pos++;
        return;
      }
      if (c != ',') {
        throw invalid(c, "after object key:value pair");
      }
      pos++;
      skipSpace();
      c = peek();
    }
  }

  private void array(int depth) throws Failure {
    if (depth > MAX_DEPTH) {
      throw new Failure("exceeded max depth");
    }
    pos++; // '['
    skipSpace();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      value(depth);
      skipSpace();
      int c = peek();
      if (c == ']') {
        pos++;
        return;
      }
      if (c != ',') {
        throw invalid(c, "after array element");
      }
      pos++;
    }
  }

  private void string() throws Failure {
    pos++; // opening quote
    while (true) {
      int c = peek();
      pos++;
      if (c == '"') {
        return;
      }
      if (c < 0x20) {
        throw invalid(c, "in string literal");
      }
      if (c == '\\') {
        int e = peek();
        pos++;
        switch (e) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
          case 'u':
            for (int i = 0; i < 4; i++) {
              int h = peek();
              pos++;
              if (Character.digit(h, 16) < 0) {
                throw invalid(h, "in \\u hexadecimal character escape");
              }
            }
            break;
          default:
            throw invalid(e, "in string escape code");
        }
      }
    }
  }

  private void literal(String word) throws Failure {
    pos++;
    for (int i = 1; i < word.length(); i++) {
      int c = peek();
      if (c != word.charAt(i)) {
        throw invalid(c, "in literal " + word + " (expecting " + quoteChar(word.charAt(i)) + ")");
      }
      pos++;
    }
  }

  private void number() throws Failure {
    if (peek() == '-') {
      pos++;
    }
    int c = peek();
    if (c == '0') {
      pos++;
    } else if (c >= '1' && c <= '9') {
      digits();
    } else {
      throw invalid(c, "in numeric literal");
    }
    if (pos < in.length && in[pos] == '.') {
      pos++;
      c = peek();
      if (c < '0' || c > '9') {
        throw invalid(c, "after decimal point in numeric literal");
      }
      digits();
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      c = peek();
      if (c == '+' || c == '-') {
        pos++;
        c = peek();
      }
      if (c < '0' || c > '9') {
        throw invalid(c, "in exponent of numeric literal");
      }
      digits();
    }
  }

  private void digits() {
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
  }

  /** Go's {@code quoteChar}: a byte shown as a Go character literal. */
  static String quoteChar(int c) {
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    return "'" + goQuoteRune(c) + "'";
  }

  private static String goQuoteRune(int c) {
    switch (c) {
      case '\u0007': return "\\a";
      case '\b': return "\\b";
      case '\f': return "\\f";
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      case '\u000b': return "\\v";
      case '\\': return "\\\\";
      default:
        if (c < 0x20 || c == 0x7f) {
          return String.format("\\x%02x", c);
        }
        if (c >= 0x80 && c < 0xa0) {
          return String.format("\\u%04x", c);
        }
        if (c == 0xad) {
          return "\\u00ad";
        }
        return String.valueOf((char) c);
    }
  }
}
