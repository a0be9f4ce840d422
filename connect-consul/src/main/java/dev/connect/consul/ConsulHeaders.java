package dev.connect.consul;

import static java.util.Objects.requireNonNull;

/**
 * Header names and content types as a Consul agent writes them. Go canonicalises header names on
 * the wire ({@code X-Consul-Knownleader}, not {@code X-Consul-KnownLeader}); a client compares
 * them case-insensitively.
 */
public final class ConsulHeaders {
  /** The index of the data a reply holds; the {@code index} of the next blocking query. */
  public static final String INDEX = "X-Consul-Index";
  /** Whether the servers know a leader ({@code true}/{@code false}). */
  public static final String KNOWN_LEADER = "X-Consul-Knownleader";
  /** Milliseconds since the server answering last heard from the leader. */
  public static final String LAST_CONTACT = "X-Consul-Lastcontact";
  /** The ACL default policy, {@code allow} or {@code deny}, on every handled {@code /v1/} reply. */
  public static final String DEFAULT_ACL_POLICY = "X-Consul-Default-Acl-Policy";
  /** The consistency mode that served a read: {@code leader}, {@code stale}, {@code consistent}. */
  public static final String EFFECTIVE_CONSISTENCY = "X-Consul-Effective-Consistency";
  /** How a blocking read was served: {@code blocking-query} or {@code streaming}. */
  public static final String QUERY_BACKEND = "X-Consul-Query-Backend";
  /** The hash of {@code GET /v1/agent/service/<id>}, for {@code ?hash=} blocking. */
  public static final String CONTENT_HASH = "X-Consul-Contenthash";
  /** {@code HIT} or {@code MISS} on replies from the agent's cache. */
  public static final String CACHE = "X-Cache";
  /** Whole seconds since a cached entry was fetched, beside {@code X-Cache: HIT}. */
  public static final String AGE = "Age";
  /** The request header carrying an ACL token. */
  public static final String TOKEN = "X-Consul-Token";
  /** The request header carrying {@code Bearer <token>}. */
  public static final String AUTHORIZATION = "Authorization";
  /** The methods a path allows, on a 405. */
  public static final String ALLOW = "Allow";
  /** {@code Accept-Encoding}: every handled reply varies on it. */
  public static final String VARY = "Vary";

  /** {@code application/json}, on JSON bodies. */
  public static final String CONTENT_TYPE_JSON = "application/json";
  /** {@code text/plain; charset=utf-8}, on error bodies (the bare message, no newline). */
  public static final String CONTENT_TYPE_TEXT = "text/plain; charset=utf-8";
  /** {@code application/pem-certificate-chain}, on {@code GET /v1/connect/ca/roots?pem=true}. */
  public static final String CONTENT_TYPE_PEM_CHAIN = "application/pem-certificate-chain";

  private ConsulHeaders() {}

  /**
   * Canonicalises a header name as Go's {@code textproto.CanonicalMIMEHeaderKey} does: the first
   * letter and each letter after a hyphen upper case, the rest lower case. A name holding a space
   * or a character outside a token is returned unchanged, as Go does.
   *
   * @param name a header name
   * @return for example {@code X-Consul-Knownleader} for {@code x-consul-knownLeader}
   */
  public static String canonical(String name) {
    requireNonNull(name, "name");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ' ' || c > 0x7e || c < 0x21 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return name;
      }
    }
    StringBuilder s = new StringBuilder(name.length());
    boolean upper = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      s.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
      upper = c == '-';
    }
    return s.toString();
  }
}
