package dev.connect.testkit;

import java.util.HashMap;
import java.util.Map;

/** Remembers which builder options were set, so that setting one twice fails loudly. */
final class Options {
  private final Map<String, String> set = new HashMap<>();

  /**
   * Records {@code option} as set to {@code value}.
   *
   * @throws IllegalStateException if it was set before, naming the earlier value
   */
  void set(String option, Object value) {
    String earlier = set.putIfAbsent(option, String.valueOf(value));
    if (earlier != null) {
      throw new IllegalStateException(option + " was already set to " + earlier);
    }
  }
}
