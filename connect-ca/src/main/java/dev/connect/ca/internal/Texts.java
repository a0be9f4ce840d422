package dev.connect.ca.internal;

import java.util.List;

/** Shows untrusted text in a message: control characters escaped, long text shortened. */
public final class Texts {
  private static final int MAX_SHOWN = 256;

  private Texts() {}

  /** Returns {@code text} with control characters escaped, cut after 256 characters. */
  public static String shown(String text) {
    return shown(text, MAX_SHOWN);
  }

  /** Returns {@code text} with control characters escaped, cut after {@code max} characters. */
  public static String shown(String text, int max) {
    StringBuilder out = new StringBuilder();
    int limit = Math.min(text.length(), max);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (text.length() > max) {
      out.append("...(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }

  /**
   * Returns the first {@code max} of {@code items}, each {@linkplain #shown(String) shown}, joined
   * with commas and followed by how many more there are: {@code a, b, c and 9997 more}. A message
   * about a list an attacker sends stays short however long the list is.
   */
  public static String firstOf(List<String> items, int max) {
    StringBuilder out = new StringBuilder();
    int limit = Math.min(items.size(), max);
    for (int i = 0; i < limit; i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(shown(items.get(i)));
    }
    if (items.size() > limit) {
      out.append(" and ").append(items.size() - limit).append(" more");
    }
    return out.toString();
  }
}
