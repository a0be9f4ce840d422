package dev.connect.consul;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Times as Consul writes them in JSON: Go's {@code time.RFC3339Nano} in UTC ({@code
 * 2026-11-27T08:25:41.481832744Z}, trailing zeros of the fraction dropped, none at all on a whole
 * second), and RFC 3339 with any offset on the way in.
 */
public final class GoTime {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private GoTime() {}

  /**
   * Formats {@code instant} as Go's {@code RFC3339Nano} in UTC.
   *
   * @param instant the time
   * @return for example {@code 2026-11-27T08:25:41.4818Z} or {@code 2026-11-27T08:24:24Z}
   */
  public static String format(Instant instant) {
    requireNonNull(instant, "instant");
    StringBuilder s = new StringBuilder(32).append(SECONDS.format(instant));
    int nanos = instant.getNano();
    if (nanos != 0) {
      String digits = String.format("%09d", nanos);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      s.append('.').append(digits, 0, end);
    }
    return s.append('Z').toString();
  }

  /**
   * Formats {@code instant} truncated to whole seconds, as Consul writes a leaf's {@code
   * ValidAfter} and {@code ValidBefore}.
   *
   * @param instant the time
   * @return for example {@code 2026-11-27T08:24:24Z}
   */
  public static String formatSeconds(Instant instant) {
    return format(requireNonNull(instant, "instant").truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * Parses an RFC 3339 time with a fraction of up to nine digits and a {@code Z} or numeric
   * offset.
   *
   * @param text for example {@code 2026-11-27T08:25:41.481832744Z}
   * @return the instant
   * @throws IllegalArgumentException naming {@code text} when it is not RFC 3339
   */
  public static Instant parse(String text) {
    requireNonNull(text, "text");
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an RFC 3339 time: \"" + Texts.escape(text, 64)
          + "\"", e);
    }
  }
}
