package dev.connect.http.internal;

import java.time.Duration;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The blocking-query parameters of a read, {@code ?index=} and {@code ?wait=}, with Consul's
 * default wait (5 minutes), cap (10 minutes) and jitter (up to a sixteenth of the wait). Part of
 * the wire seam: replaced by {@code dev.connect.consul.BlockingQuery} once connect-consul is on
 * main.
 *
 * @param index the index to wait past; 0 answers at once
 * @param maxWait the wait before jitter
 */
record Blocking(long index, Duration maxWait) {
  static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
  static final Duration MAX_WAIT = Duration.ofMinutes(10);
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  /** Reads {@code index} and {@code wait}; 400 {@code Invalid wait time} / {@code Invalid index}. */
  static Blocking of(ApiRequest request) {
    Duration wait = DEFAULT_WAIT;
    String w = request.param("wait").orElse("");
    if (!w.isEmpty()) {
      Duration parsed = parseGoDuration(w);
      if (parsed == null) {
        throw new ApiException(400, "Invalid wait time");
      }
      if (parsed.isZero() || parsed.isNegative()) {
        parsed = DEFAULT_WAIT;
      }
      wait = parsed.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : parsed;
    }
    long index = 0;
    String i = request.param("index").orElse("");
    if (!i.isEmpty()) {
      try {
        index = Long.parseUnsignedLong(i);
      } catch (NumberFormatException e) {
        throw new ApiException(400, "Invalid index");
      }
      if (index < 0) {
        // Above 2^63: no index we hand out gets there; wait as for any future index.
        index = Long.MAX_VALUE;
      }
    }
    return new Blocking(index, wait);
  }

  boolean blocks() {
    return index > 0;
  }

  /** The wait plus Consul's jitter, drawn from {@code [0, wait/16)}. */
  Duration withJitter(LongUnaryOperator random) {
    long bound = maxWait.toNanos() / 16;
    return bound <= 0 ? maxWait : maxWait.plusNanos(random.applyAsLong(bound));
  }

  /** Go's {@code time.ParseDuration}, or null when {@code text} is not one. */
  static Duration parseGoDuration(String text) {
    String s = text;
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      return null;
    }
    Matcher m = PART.matcher(s);
    int at = 0;
    double nanos = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        return null;
      }
      double v = Double.parseDouble(m.group(1));
      double unit = switch (m.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      nanos += v * unit;
      at = m.end();
    }
    if (nanos > Long.MAX_VALUE) {
      return null;
    }
    Duration d = Duration.ofNanos((long) nanos);
    return negative ? d.negated() : d;
  }
}
