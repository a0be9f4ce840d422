package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * The answer to one query against a {@link ConnectBackend}: a value and the index it was current
 * at. Pass the index back as {@link QueryOptions#minIndex()} to block until it changes.
 *
 * @param <T> the type of the value
 * @param value the value
 * @param index the state index of the value, at least 1 (Consul never returns 0)
 */
public record QueryResult<T>(T value, long index) {

  /**
   * Checks the value is present and the index positive.
   *
   * @throws IllegalArgumentException if {@code index} is less than 1
   */
  public QueryResult {
    requireNonNull(value, "value");
    if (index < 1) {
      throw new IllegalArgumentException("index must be at least 1: " + index);
    }
  }
}
