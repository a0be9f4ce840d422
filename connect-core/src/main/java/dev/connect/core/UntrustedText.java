package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Text from an untrusted source (a CSR, a request, a file) made fit to quote in an error message.
 *
 * <p>An attacker chooses what a CSR or a request carries, and error messages end up in logs and
 * terminals. So control and format characters (such as bidi overrides), line separators, quotes
 * and backslashes are written as Java unicode escapes ({@code \u000a}), and long text is cut
 * (never inside a surrogate pair) and followed by its length: {@code abc...(70000 chars)}. A
 * list is shown by its first few items and a count of the rest, so a message stays short however
 * long the list an attacker sends.
 */
public final class UntrustedText {
  /** How many characters {@link #shown(String)} keeps. */
  public static final int MAX_SHOWN = 256;

  private UntrustedText() {}

  /**
   * Returns {@code text} escaped and cut after {@value #MAX_SHOWN} characters.
   *
   * @param text the untrusted text
   * @return the text fit for a message
   */
  public static String shown(String text) {
    return shown(text, MAX_SHOWN);
  }

  /**
   * Returns {@code text} escaped and cut after {@code max} characters.
   *
   * @param text the untrusted text
   * @param max how many characters to keep, at least 0
   * @return the text fit for a message
   * @throws IllegalArgumentException if {@code max} is negative
   */
  public static String shown(String text, int max) {
    requireNonNull(text, "text");
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative: " + max);
    }
    StringBuilder out = new StringBuilder();
    int limit = Math.min(text.length(), max);
    if (limit < text.length() && limit > 0 && Character.isHighSurrogate(text.charAt(limit - 1))) {
      limit--;
    }
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || c == '\u2028' || c == '\u2029' || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (limit < text.length()) {
      out.append("...(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }

  /**
   * Returns the first {@code max} of {@code items}, each {@linkplain #shown(String) shown}, joined
   * with commas and followed by how many more there are: {@code a, b, c and 9997 more}.
   *
   * @param items the untrusted items
   * @param max how many items to show, at least 0
   * @return the items fit for a message
   * @throws IllegalArgumentException if {@code max} is negative
   */
  public static String firstOf(List<String> items, int max) {
    requireNonNull(items, "items");
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative: " + max);
    }
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
