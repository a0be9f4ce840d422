package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The one rule for a service name that is written: named in an intention, asked a leaf for, or
 * given to an agent as a local service.
 *
 * <p>A service name is 1 to {@value #MAX_LENGTH} characters of {@code a-z 0-9 . - _}, and neither
 * {@code .} nor {@code ..}: a SPIFFE path segment (the name is the last segment of every leaf's
 * URI SAN, {@code spiffe://<td>/ns/default/dc/<dc>/svc/<name>}), in lower case, short enough that
 * every SPIFFE ID built from it stays within {@link SpiffeId#MAX_LENGTH}. So no intention is
 * stored that no certificate can carry, and no leaf is issued that no intention can name.
 *
 * <p><b>Case.</b> Upper case is refused, not folded. Consul compares service names exactly in
 * some places (ACL rules, SPIFFE ID paths) and ignoring case in others (its proxy's check of a
 * server's SPIFFE ID), so {@code WEB} and {@code web} would be one service to some checks and two
 * to others; here each service has one spelling. Reads (a decision, a match, a lookup) take names
 * literally, so an upper-case name there matches nothing written here.
 *
 * <p>The wildcard {@code *} is not a service name; intention targets accept it as a whole value
 * where Consul does ({@link IntentionTarget}).
 */
public final class ServiceNames {
  /** The longest service name, in characters (each one byte: the rule allows only ASCII). */
  public static final int MAX_LENGTH = 256;

  private static final int SHOWN = 64;

  private ServiceNames() {}

  /**
   * Checks a service name against the rule.
   *
   * @param name the name, such as {@code web}
   * @return {@code name}
   * @throws IllegalArgumentException if the name breaks the rule; the message names the value,
   *     escaped and cut to 64 characters, and the rule it breaks
   */
  public static String check(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("service name must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("service name \"" + shown(name) + "\" is "
          + name.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    if (name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("service name must not be \"" + name + "\"");
    }
    boolean upper = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (!isNameChar(c)) {
        throw new IllegalArgumentException("service name \"" + shown(name)
            + "\" has a character outside [a-z0-9.-_] at index " + i + ": "
            + describe(name.codePointAt(i)));
      }
    }
    if (upper) {
      throw new IllegalArgumentException("service name \"" + shown(name) + "\" has upper case;"
          + " service names are lower case (upper case is refused, not folded): write \""
          + shown(name.toLowerCase(Locale.ROOT)) + "\"");
    }
    return name;
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  private static String describe(int codePoint) {
    return codePoint >= 0x21 && codePoint < 0x7f
        ? "'" + (char) codePoint + "'" : String.format("U+%04X", codePoint);
  }

  private static String shown(String value) {
    return InvalidSpiffeIdException.escape(value, SHOWN);
  }
}
