package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Durations as Go's {@code time.ParseDuration} reads them and {@code time.Duration.String}
 * writes them: {@code "72h"}, {@code "1h30m"}, {@code "1.5s"}, {@code "300ms"}, {@code "0"}.
 * Consul's CA configuration ({@code LeafCertTTL}), blocking queries ({@code wait}) and checks
 * ({@code Interval}) use them.
 *
 * <p>The range is Go's: at most 2<sup>63</sup>−1 nanoseconds, about 292 years, either sign.
 */
public final class GoDuration {
  private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L,
      "\u00b5s", 1_000L, "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L,
      "m", 60_000_000_000L, "h", 3_600_000_000_000L);
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private GoDuration() {}

  /**
   * Parses a Go duration.
   *
   * @param text for example {@code 72h}, {@code 1h30m}, {@code 1.5s}, {@code -2m}, {@code 0}
   * @return the duration
   * @throws IllegalArgumentException with Go's text, for example {@code time: invalid duration
   *     "abc"}, {@code time: missing unit in duration "1"} or {@code time: unknown unit "d" in
   *     duration "1d"}
   */
  public static Duration parse(String text) {
    requireNonNull(text, "text");
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigInteger total = BigInteger.ZERO;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!(c == '.' || (c >= '0' && c <= '9'))) {
        throw invalid(text);
      }
      int start = i;
      while (i < s.length() && isDigit(s.charAt(i))) {
        i++;
      }
      boolean pre = i > start;
      String whole = s.substring(start, i);
      String fraction = "";
      boolean post = false;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fs = i;
        while (i < s.length() && isDigit(s.charAt(i))) {
          i++;
        }
        fraction = s.substring(fs, i);
        post = i > fs;
      }
      if (!pre && !post) {
        throw invalid(text);
      }
      int us = i;
      while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      if (i == us) {
        throw new IllegalArgumentException("time: missing unit in duration " + quote(text));
      }
      String unitName = s.substring(us, i);
      Long unit = UNITS.get(unitName);
      if (unit == null) {
        throw new IllegalArgumentException("time: unknown unit " + quote(unitName)
            + " in duration " + quote(text));
      }
      BigDecimal value = new BigDecimal((whole.isEmpty() ? "0" : whole)
          + (fraction.isEmpty() ? "" : "." + fraction));
      // Go truncates the fractional part of a unit towards zero nanoseconds.
      total = total.add(value.multiply(BigDecimal.valueOf(unit))
          .setScale(0, RoundingMode.DOWN).toBigIntegerExact());
      if (total.compareTo(MAX) > 0 && !(negative && total.equals(MAX.add(BigInteger.ONE)))) {
        throw invalid(text);
      }
    }
    long nanos = negative ? total.negate().longValueExact() : total.longValueExact();
    return Duration.ofNanos(nanos);
  }

  /**
   * Formats a duration as Go's {@code time.Duration.String}: {@code 72h0m0s}, {@code 1.5s},
   * {@code 300ms}, {@code 0s}.
   *
   * @param duration the duration, within Go's range
   * @return Go's text
   * @throws IllegalArgumentException when the duration does not fit in 2<sup>63</sup>−1
   *     nanoseconds
   */
  public static String format(Duration duration) {
    requireNonNull(duration, "duration");
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration out of Go's range: " + duration, e);
    }
    if (nanos == 0) {
      return "0s";
    }
    boolean negative = nanos < 0;
    BigInteger u = BigInteger.valueOf(nanos).abs();
    StringBuilder s = new StringBuilder();
    if (u.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
      long v = u.longValueExact();
      if (v < 1_000L) {
        s.append(v).append("ns");
      } else if (v < 1_000_000L) {
        s.append(decimal(v, 1_000L)).append("\u00b5s");
      } else {
        s.append(decimal(v, 1_000_000L)).append("ms");
      }
    } else {
      BigInteger[] hours = u.divideAndRemainder(BigInteger.valueOf(3_600_000_000_000L));
      long rest = hours[1].longValueExact();
      long minutes = rest / 60_000_000_000L;
      long secondsNanos = rest % 60_000_000_000L;
      if (hours[0].signum() > 0) {
        s.append(hours[0]).append('h').append(minutes).append('m');
      } else if (minutes > 0) {
        s.append(minutes).append('m');
      }
      s.append(decimal(secondsNanos, 1_000_000_000L)).append('s');
    }
    return (negative ? "-" : "") + s;
  }

  /**
   * Formats a duration in the short form Consul's configuration uses, without zero units: {@code
   * 72h}, {@code 1h30m}, {@code 90s} is written {@code 1m30s}, {@code 1.5s}, {@code 0s}.
   *
   * @param duration the duration, within Go's range
   * @return text that {@link #parse(String)} reads back to the same duration
   * @throws IllegalArgumentException when the duration does not fit in 2<sup>63</sup>−1
   *     nanoseconds
   */
  public static String formatCompact(Duration duration) {
    String s = format(duration);
    if (s.endsWith("m0s")) {
      s = s.substring(0, s.length() - 2);
    }
    if (s.endsWith("h0m")) {
      s = s.substring(0, s.length() - 2);
    }
    return s;
  }

  private static String decimal(long value, long unit) {
    long whole = value / unit;
    long fraction = value % unit;
    if (fraction == 0) {
      return Long.toString(whole);
    }
    String digits = Long.toString(unit + fraction).substring(1);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + digits.substring(0, end);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("time: invalid duration " + quote(text));
  }

  private static String quote(String s) {
    return "\"" + Texts.escape(s, 64) + "\"";
  }
}
