package dev.connect.http.internal;

import dev.connect.consul.BlockingQuery;
import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * The blocking-query parameters of a read, through connect-consul's {@link BlockingQuery}: a
 * malformed one is Consul's 400 ({@code Invalid wait time}, {@code Invalid index}).
 */
final class Blocking {
  private final BlockingQuery query;

  private Blocking(BlockingQuery query) {
    this.query = query;
  }

  static Blocking of(ApiRequest request) {
    try {
      return new Blocking(BlockingQuery.parse(request.query()));
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  /** The index to wait past; above 2^63 (no index gets there) waits as any future index. */
  long index() {
    return query.index() < 0 ? Long.MAX_VALUE : query.index();
  }

  boolean blocks() {
    return query.blocks();
  }

  /** The wait before jitter: Consul's default when none was given, capped at its maximum. */
  Duration maxWait() {
    return query.effectiveWait();
  }

  /** The wait plus Consul's jitter, up to a sixteenth of it. */
  Duration withJitter(LongUnaryOperator random) {
    return query.waitWithJitter(random);
  }
}
