package dev.connect.core.internal;

/**
 * Go's {@code %q} and {@code %#v} renderings of strings, which Consul puts into its ACL error
 * messages ({@code Invalid service policy: &acl.ServiceRule{Name:"web", ...}}, {@code lacks
 * permission 'service:write' on "web"}). Matching them lets a caller compare our messages with
 * Consul's; escaping control and format characters keeps names from forging log lines.
 */
public final class AclGoSyntax {
  private AclGoSyntax() {}

  /**
   * Returns {@code s} as Go's {@code strconv.Quote} writes it: in double quotes, with {@code "}
   * and {@code \} escaped, {@code \a \b \f \n \r \t \v} for those controls, {@code \xNN} for
   * other ASCII controls and {@code \}{@code uNNNN} for other non-printable characters.
   */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case 7:
          out.append("\\a");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case 11:
          out.append("\\v");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
              || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
              && !validSurrogatePair(s, i)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    return out.append('"').toString();
  }

  private static boolean validSurrogatePair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
