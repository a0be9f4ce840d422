package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The text of hashicorp/go-multierror, in which Consul reports validation errors: {@code 1 error
 * occurred:\n\t* Action must be set to 'allow' or 'deny'\n\n}.
 */
public final class GoMultiError {
  private GoMultiError() {}

  /**
   * Formats {@code errors} as go-multierror's {@code ListFormatFunc}.
   *
   * @param errors one or more messages
   * @return {@code "N error(s) occurred:\n\t* ...\n\n"}; a single message alone is still listed
   * @throws IllegalArgumentException when {@code errors} is empty
   */
  public static String format(List<String> errors) {
    requireNonNull(errors, "errors");
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a multi-error needs at least one error");
    }
    StringBuilder s = new StringBuilder().append(errors.size())
        .append(errors.size() == 1 ? " error occurred:\n" : " errors occurred:\n");
    for (String e : errors) {
      s.append("\t* ").append(requireNonNull(e, "error")).append('\n');
    }
    return s.append('\n').toString();
  }

  /**
   * Formats a single message as go-multierror does.
   *
   * @param error the message
   * @return {@code "1 error occurred:\n\t* <error>\n\n"}
   */
  public static String of(String error) {
    return format(List.of(requireNonNull(error, "error")));
  }
}
