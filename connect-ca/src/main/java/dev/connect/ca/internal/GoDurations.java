package dev.connect.ca.internal;

import java.time.Duration;

/** Formats durations as Go's {@code time.Duration.String} does, for Consul's messages. */
public final class GoDurations {
  private GoDurations() {}

  /** Returns Go's text for {@code d}: {@code 72h0m0s}, {@code 30m0s}, {@code 1.5s}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    String sign = d.isNegative() ? "-" : "";
    Duration a = d.isNegative() ? d.negated() : d;
    long seconds = a.getSeconds();
    int nanos = a.getNano();
    if (seconds == 0) {
      if (nanos < 1_000) {
        return sign + nanos + "ns";
      }
      if (nanos < 1_000_000) {
        return sign + decimal(nanos / 1_000, nanos % 1_000, 3) + "\u00b5s";
      }
      return sign + decimal(nanos / 1_000_000, nanos % 1_000_000, 6) + "ms";
    }
    long hours = seconds / 3600;
    long minutes = seconds % 3600 / 60;
    String secs = decimal(seconds % 60, nanos, 9) + "s";
    if (hours > 0) {
      return sign + hours + "h" + minutes + "m" + secs;
    }
    return minutes > 0 ? sign + minutes + "m" + secs : sign + secs;
  }

  private static String decimal(long whole, long fraction, int digits) {
    if (fraction == 0) {
      return Long.toString(whole);
    }
    String f = String.format("%0" + digits + "d", fraction);
    int end = f.length();
    while (f.charAt(end - 1) == '0') {
      end--;
    }
    return whole + "." + f.substring(0, end);
  }
}
