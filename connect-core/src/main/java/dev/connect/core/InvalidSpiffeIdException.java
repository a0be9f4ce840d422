package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a string is not a valid SPIFFE ID, or not the Connect form a caller asked for.
 *
 * <p>The message names the offending input (shortened when very long, with control characters
 * escaped) and the rule it breaks; {@link #rule()} returns the rule alone.
 */
public final class InvalidSpiffeIdException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_SHOWN = 256;

  private final String input;
  private final String rule;

  /**
   * Creates an exception for {@code input} breaking {@code rule}.
   *
   * @param input the rejected text, shown in the message in a shortened, escaped form
   * @param rule the rule broken, for example "trust domain must be lower-case"
   */
  public InvalidSpiffeIdException(String input, String rule) {
    super("invalid SPIFFE ID \"" + shown(requireNonNull(input, "input")) + "\": "
        + requireNonNull(rule, "rule"));
    this.input = input;
    this.rule = rule;
  }

  /** Returns the rejected input, exactly as given. */
  public String input() {
    return input;
  }

  /** Returns the rule the input breaks, for example "path segment must not be empty". */
  public String rule() {
    return rule;
  }

  private static String shown(String input) {
    return escape(input, MAX_SHOWN);
  }

  /** Returns {@code text} fit for a message: see {@link UntrustedText#shown(String, int)}. */
  static String escape(String text, int max) {
    return UntrustedText.shown(text, max);
  }
}
