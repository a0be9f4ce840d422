package dev.connect.consul;

/** Bounded, printable quoting of caller-supplied text for error messages. */
final class Texts {
  private Texts() {}

  static String escape(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
    for (int i = 0; i < s.length(); i++) {
      if (b.length() >= max) {
        return b.append("...").toString();
      }
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
