package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;

/**
 * The set-once rule every builder of this library follows: an option set a second time fails,
 * naming the first value ({@code "leafTtl was already set to PT72H"}), since a second call is
 * more often a mistake (two code paths configuring one object) than an intent, and a silent
 * overwrite would hide it.
 *
 * <p>A builder keeps one instance and calls {@link #set} from each setter, before storing the
 * value; builders that keep each option in a nullable field may call {@link #once} instead. Not
 * thread-safe, like the builders that use it.
 */
public final class BuilderOptions {
  private final Map<String, String> given = new HashMap<>();

  private BuilderOptions() {}

  /**
   * Returns an empty record of options.
   *
   * @return a new record, with nothing set
   */
  public static BuilderOptions create() {
    return new BuilderOptions();
  }

  /**
   * Records that {@code option} is set to {@code shown}.
   *
   * @param option the option's name, as its setter is called
   * @param shown the value as a message may show it: never a secret
   * @throws IllegalStateException if {@code option} was set before: "{@code option} was already
   *     set to {@code earlier}"
   */
  public void set(String option, Object shown) {
    requireNonNull(option, "option");
    String earlier = given.putIfAbsent(option, String.valueOf(shown));
    if (earlier != null) {
      throw alreadySet(option, earlier);
    }
  }

  /**
   * Returns whether {@code option} was set.
   *
   * @param option the option's name
   * @return true once {@link #set} recorded it
   */
  public boolean isSet(String option) {
    return given.containsKey(requireNonNull(option, "option"));
  }

  /**
   * Returns {@code value} if {@code current}, the option's field, is still unset ({@code null}).
   *
   * @param option the option's name, as its setter is called
   * @param current the value the builder holds now, {@code null} if unset
   * @param value the new value
   * @param <T> the option's type
   * @return {@code value}
   * @throws IllegalStateException if {@code current} is not {@code null}: "{@code option} was
   *     already set to {@code current}"
   */
  public static <T> T once(String option, T current, T value) {
    requireNonNull(option, "option");
    if (current != null) {
      throw alreadySet(option, current);
    }
    return value;
  }

  /**
   * Returns the exception for an option set twice, for builders whose options need a custom
   * check: "{@code option} was already set to {@code earlier}".
   *
   * @param option the option's name
   * @param earlier the first value, as a message may show it
   * @return the exception, to throw
   */
  public static IllegalStateException alreadySet(String option, Object earlier) {
    return new IllegalStateException(option + " was already set to " + earlier);
  }
}
