package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A SPIFFE ID: the URI {@code spiffe://<trust-domain><path>} that names a workload, parsed and
 * validated by the rules of the SPIFFE ID specification.
 *
 * <p>The rules, each of which {@link #parse(String)} enforces with an {@link
 * InvalidSpiffeIdException} naming the input and the rule:
 *
 * <ul>
 *   <li>the scheme is exactly {@code spiffe} (lower-case) followed by {@code ://};
 *   <li>the trust domain is 1 to 255 characters of {@code a-z 0-9 . - _}; upper case is
 *       rejected, not folded, because two spellings of one trust domain are a security bug
 *       waiting to happen;
 *   <li>the path is empty or a sequence of {@code /segment}, each segment made of {@code
 *       a-z A-Z 0-9 . - _}, never empty, never {@code .} or {@code ..}, with no trailing slash;
 *   <li>no port, user info, query, fragment or percent-encoding (all excluded by the character
 *       sets above, and reported with a rule of their own);
 *   <li>at most 2048 bytes in all.
 * </ul>
 *
 * <p>When an input breaks several rules, the first one found is reported, in this order: the
 * length, the scheme and {@code //}, a query or fragment (the first {@code ?} or {@code #}), user
 * info, a port, then the trust domain and the path from left to right. A long string of
 * non-ASCII characters is therefore reported as too long rather than as a bad character.
 *
 * <p>Consul Connect gives these IDs a structure of its own ({@code /ns/<ns>/dc/<dc>/svc/<name>}
 * and friends); {@link ConnectId#from(SpiffeId)} reads it. Instances are immutable; two IDs are
 * equal when their text is equal, and {@code parse(id.toString()).equals(id)} always holds.
 */
public final class SpiffeId {
  /** The longest SPIFFE ID the specification allows, in bytes. */
  public static final int MAX_LENGTH = 2048;
  /** The longest trust domain the specification allows, in bytes. */
  public static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  private static final String PREFIX = "spiffe://";
  private static final String QUERY = "a query is not allowed";
  private static final String FRAGMENT = "a fragment is not allowed";

  private final String trustDomain;
  private final String path;

  private SpiffeId(String trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
  }

  /**
   * Parses a SPIFFE ID.
   *
   * @param id text such as {@code spiffe://7f3c.consul/ns/default/dc/dc1/svc/web}
   * @return the ID
   * @throws InvalidSpiffeIdException if {@code id} breaks a rule of the specification; the
   *     message names the input and the rule
   */
  public static SpiffeId parse(String id) {
    requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new InvalidSpiffeIdException(id, "must not be empty");
    }
    checkLength(id);
    checkScheme(id);
    String rest = id.substring(PREFIX.length());
    // As in RFC 3986, the first '?' or '#' starts the query or the fragment, wherever it is.
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '?') {
        throw new InvalidSpiffeIdException(id, QUERY);
      }
      if (c == '#') {
        throw new InvalidSpiffeIdException(id, FRAGMENT);
      }
    }
    int pathStart = rest.indexOf('/');
    String authority = pathStart < 0 ? rest : rest.substring(0, pathStart);
    String path = pathStart < 0 ? "" : rest.substring(pathStart);
    checkTrustDomain(id, authority);
    checkPath(id, path);
    return new SpiffeId(authority, path);
  }

  /**
   * Returns the SPIFFE ID with the given trust domain and path segments.
   *
   * @param trustDomain a trust domain such as {@code 7f3c.consul}
   * @param segments the path segments, without slashes; none for the trust domain's own ID
   * @return the ID
   * @throws InvalidSpiffeIdException if the trust domain or a segment breaks a rule; the
   *     message names the whole ID that would have resulted
   */
  public static SpiffeId of(String trustDomain, String... segments) {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(segments, "segments");
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/').append(requireNonNull(segment, "segment"));
    }
    String whole = PREFIX + trustDomain + path;
    checkLength(whole);
    checkTrustDomain(whole, trustDomain);
    for (String segment : segments) {
      checkSegment(whole, segment);
    }
    return new SpiffeId(trustDomain, path.toString());
  }

  /**
   * Reads the SPIFFE ID of an X.509 SVID: its single URI subject alternative name.
   *
   * @param certificate a certificate that carries exactly one URI SAN
   * @return the ID in that SAN
   * @throws InvalidSpiffeIdException if the certificate has no URI SAN, more than one, or one
   *     that is not a valid SPIFFE ID
   */
  public static SpiffeId fromCertificate(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new InvalidSpiffeIdException(certificate.getSubjectX500Principal().getName(),
          "certificate's subject alternative names cannot be parsed: " + e.getMessage());
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (Integer.valueOf(6).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    if (uris.size() != 1) {
      throw new InvalidSpiffeIdException(uris.isEmpty()
          ? "serial " + certificate.getSerialNumber().toString(16) : String.join(", ", uris),
          "an X.509 SVID must carry exactly one URI SAN, found " + uris.size());
    }
    return parse(uris.get(0));
  }

  /** Returns the trust domain, for example {@code 7f3c.consul}. */
  public String trustDomain() {
    return trustDomain;
  }

  /** Returns the path: empty, or {@code /} followed by segments separated by {@code /}. */
  public String path() {
    return path;
  }

  /** Returns the path segments, in order; empty for a trust domain's own ID. */
  public List<String> segments() {
    return path.isEmpty() ? List.of() : List.of(path.substring(1).split("/", -1));
  }

  /**
   * Returns this ID as a {@link URI}.
   *
   * <p>A trust domain with {@code _}, or one that is not a valid host name, makes a URI whose
   * {@link URI#getHost()} is null; use {@link URI#getAuthority()} or {@link #trustDomain()}.
   *
   * @return the URI, whose text equals {@link #toString()}
   */
  public URI toUri() {
    return URI.create(toString());
  }

  /** Returns the ID in its canonical text form, {@code spiffe://<trust-domain><path>}. */
  @Override
  public String toString() {
    return PREFIX + trustDomain + path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId other
        && trustDomain.equals(other.trustDomain) && path.equals(other.path);
  }

  @Override
  public int hashCode() {
    return 31 * trustDomain.hashCode() + path.hashCode();
  }

  private static void checkLength(String id) {
    int bytes = utf8Length(id);
    if (bytes > MAX_LENGTH) {
      throw new InvalidSpiffeIdException(id,
          "longer than " + MAX_LENGTH + " bytes: " + bytes + " bytes in UTF-8");
    }
  }

  private static void checkScheme(String id) {
    int colon = id.indexOf(':');
    if (colon < 0 || !isScheme(id.substring(0, colon))) {
      throw new InvalidSpiffeIdException(id, "scheme is missing; must start with \"spiffe://\"");
    }
    String scheme = id.substring(0, colon);
    if (!scheme.equals("spiffe")) {
      throw new InvalidSpiffeIdException(id, scheme.equalsIgnoreCase("spiffe")
          ? "scheme must be lower-case \"spiffe\""
          : "scheme must be \"spiffe\", not \"" + InvalidSpiffeIdException.escape(scheme, 32)
              + "\"");
    }
    if (!id.startsWith(PREFIX)) {
      throw new InvalidSpiffeIdException(id,
          "scheme must be followed by \"//\" and a trust domain");
    }
  }

  /** Tells whether {@code s} has the syntax of a URI scheme (RFC 3986 section 3.1). */
  private static boolean isScheme(String s) {
    if (s.isEmpty() || !isAsciiLetter(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static void checkTrustDomain(String id, String td) {
    // User info and port are recognised anywhere in the authority, so that
    // "user:pass@host" reports user info rather than a port.
    if (td.indexOf('@') >= 0) {
      throw new InvalidSpiffeIdException(id, "user info is not allowed");
    }
    if (td.indexOf(':') >= 0) {
      throw new InvalidSpiffeIdException(id, "a port is not allowed");
    }
    if (td.isEmpty()) {
      throw new InvalidSpiffeIdException(id, "trust domain is missing");
    }
    if (td.length() > MAX_TRUST_DOMAIN_LENGTH) {
      throw new InvalidSpiffeIdException(id,
          "trust domain longer than " + MAX_TRUST_DOMAIN_LENGTH + " bytes");
    }
    for (int i = 0; i < td.length(); i++) {
      char c = td.charAt(i);
      if (isTrustDomainChar(c)) {
        continue;
      }
      if (c >= 'A' && c <= 'Z') {
        throw new InvalidSpiffeIdException(id, "trust domain must be lower-case");
      }
      String special = specialCharRule(c);
      if (special != null) {
        throw new InvalidSpiffeIdException(id, special);
      }
      if (c == '/') {
        throw new InvalidSpiffeIdException(id, "trust domain must not contain '/'");
      }
      throw new InvalidSpiffeIdException(id, "trust domain has a character outside"
          + " [a-z0-9.-_] at index " + i + ": " + describe(td.codePointAt(i)));
    }
  }

  private static void checkPath(String id, String path) {
    if (path.isEmpty()) {
      return;
    }
    int start = 1;
    while (true) {
      int slash = path.indexOf('/', start);
      String segment = slash < 0 ? path.substring(start) : path.substring(start, slash);
      if (segment.isEmpty() && slash < 0) {
        throw new InvalidSpiffeIdException(id, "path must not end with '/'");
      }
      checkSegment(id, segment);
      if (slash < 0) {
        return;
      }
      start = slash + 1;
    }
  }

  private static void checkSegment(String id, String segment) {
    if (segment.isEmpty()) {
      throw new InvalidSpiffeIdException(id, "path segment must not be empty");
    }
    if (segment.equals(".") || segment.equals("..")) {
      throw new InvalidSpiffeIdException(id, "path segment must not be '" + segment + "'");
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (isPathChar(c)) {
        continue;
      }
      String special = specialCharRule(c);
      if (special != null) {
        throw new InvalidSpiffeIdException(id, special);
      }
      if (c == '/') {
        throw new InvalidSpiffeIdException(id, "path segment must not contain '/'");
      }
      throw new InvalidSpiffeIdException(id, "path segment \""
          + InvalidSpiffeIdException.escape(segment, 64)
          + "\" has a character outside [a-zA-Z0-9.-_]: " + describe(segment.codePointAt(i)));
    }
  }

  /** Returns the rule for '?', '#' and '%', which start a URI part or an escape; else null. */
  private static String specialCharRule(char c) {
    switch (c) {
      case '?':
        return QUERY;
      case '#':
        return FRAGMENT;
      case '%':
        return "percent-encoding is not allowed";
      default:
        return null;
    }
  }

  private static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  private static boolean isPathChar(char c) {
    return isTrustDomainChar(c) || (c >= 'A' && c <= 'Z');
  }

  private static String describe(int codePoint) {
    return codePoint >= 0x21 && codePoint < 0x7f
        ? "'" + (char) codePoint + "'" : String.format("U+%04X", codePoint);
  }

  private static int utf8Length(String s) {
    // Fast path: every char is at least one byte; only count exactly near the limit.
    return s.length() * 3 <= MAX_LENGTH ? s.length()
        : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
