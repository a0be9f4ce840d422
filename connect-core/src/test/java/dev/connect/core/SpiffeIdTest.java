package dev.connect.core;

import static dev.connect.core.Samples.TRUST_DOMAIN_A;
import static dev.connect.core.Samples.TRUST_DOMAIN_D;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SpiffeIdTest {
  private static final String WEB = "spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web";
  private static final String TD_255 = "a".repeat(251) + ".org";
  /** A path that brings {@code spiffe://td} to exactly 2048 bytes. */
  private static final String PATH_TO_2048 = "/" + "p".repeat(2048 - "spiffe://td/".length());

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul/ns/default/dc/dc1/svc/web | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | /ns/default/dc/dc1/svc/web
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul                            | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | ''
      spiffe://1078fffb-c1ff-837f-4228-8574bb8385f4.consul/ns/default/dc/dc1/svc/web | 1078fffb-c1ff-837f-4228-8574bb8385f4.consul | /ns/default/dc/dc1/svc/web
      spiffe://example.org/Upper/Case_Path-1.2                                       | example.org                                 | /Upper/Case_Path-1.2
      spiffe://a/b                                                                   | a                                           | /b
      spiffe://td/...                                                                | td                                          | /...
      spiffe://td/.hidden/trailing.                                                  | td                                          | /.hidden/trailing.
      spiffe://td/a..b/..c                                                           | td                                          | /a..b/..c
      spiffe://1.2.3.4/x                                                             | 1.2.3.4                                     | /x
      spiffe://a_b-c.d/-_.                                                           | a_b-c.d                                     | /-_.
      spiffe://.../x                                                                 | ...                                         | /x
      """)
  void parsesValidIds(String input, String trustDomain, String path) {
    SpiffeId id = SpiffeId.parse(input);

    assertThat(id.trustDomain()).isEqualTo(trustDomain);
    assertThat(id.path()).isEqualTo(path);
    assertThat(id.toString()).isEqualTo(input);
    assertThat(SpiffeId.parse(id.toString())).isEqualTo(id);
  }

  @Test
  void acceptsTrustDomainOf255BytesAndIdOf2048Bytes() {
    assertThat(SpiffeId.parse("spiffe://" + TD_255).trustDomain()).hasSize(255);
    assertThat(SpiffeId.parse("spiffe://td" + PATH_TO_2048).toString()).hasSize(2048);
  }

  static Stream<Arguments> invalidIds() {
    String tooLong = "spiffe://td" + PATH_TO_2048 + "p";
    String e1019 = "spiffe://td/" + "\u00e9".repeat(1019); // 1031 chars, 2050 bytes
    String e1018 = "spiffe://td/" + "\u00e9".repeat(1018); // 1030 chars, 2048 bytes
    return Stream.of(
        arguments(named("empty", ""), "must not be empty"),
        // scheme
        arguments(named("no scheme", TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("recorded: %zz", "%zz"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("recorded: not a uri at all", "not a uri at all"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("scheme-relative", "//td/x"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("colon only after a slash", "td.consul/a:b"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("control character before colon", "\n:x"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("scheme without colon", "spiffe//td/x"),
            "scheme is missing; must start with \"spiffe://\""),
        arguments(named("upper-case scheme", "SPIFFE://td/x"),
            "scheme must be lower-case \"spiffe\""),
        arguments(named("mixed-case scheme", "Spiffe://td"),
            "scheme must be lower-case \"spiffe\""),
        arguments(named("recorded: https", "https://example.com/web"),
            "scheme must be \"spiffe\", not \"https\""),
        arguments(named("long scheme", "x".repeat(100) + "://td"),
            "scheme must be \"spiffe\", not \"" + "x".repeat(32) + "...(100 chars)\""),
        arguments(named("no //", "spiffe:td/x"),
            "scheme must be followed by \"//\" and a trust domain"),
        arguments(named("single /", "spiffe:/td/x"),
            "scheme must be followed by \"//\" and a trust domain"),
        // trust domain
        arguments(named("scheme only", "spiffe://"), "trust domain is missing"),
        arguments(named("empty trust domain", "spiffe:///ns/default"), "trust domain is missing"),
        arguments(named("upper-case trust domain", "spiffe://Example.org/x"),
            "trust domain must be lower-case"),
        arguments(named("upper-case Consul trust domain",
            "spiffe://" + TRUST_DOMAIN_A.toUpperCase() + "/ns/default/dc/dc1/svc/web"),
            "trust domain must be lower-case"),
        arguments(named("trust domain of 256 bytes", "spiffe://a" + TD_255),
            "trust domain longer than 255 bytes"),
        arguments(named("space in trust domain", "spiffe://t d/x"),
            "trust domain has a character outside [a-z0-9.-_] at index 1: U+0020"),
        arguments(named("plus in trust domain", "spiffe://a+b/x"),
            "trust domain has a character outside [a-z0-9.-_] at index 1: '+'"),
        arguments(named("non-ASCII trust domain", "spiffe://td\u00e9/x"),
            "trust domain has a character outside [a-z0-9.-_] at index 2: U+00E9"),
        // URI parts the spec excludes
        arguments(named("port", "spiffe://td:8080/x"), "a port is not allowed"),
        arguments(named("empty port", "spiffe://td:/x"), "a port is not allowed"),
        arguments(named("port on upper-case host", "spiffe://TD:80"), "a port is not allowed"),
        arguments(named("user info", "spiffe://user@td/x"), "user info is not allowed"),
        arguments(named("user info with password", "spiffe://user:pass@td/x"),
            "user info is not allowed"),
        arguments(named("query", "spiffe://td/x?q=1"), "a query is not allowed"),
        arguments(named("query after trust domain", "spiffe://td?x"), "a query is not allowed"),
        arguments(named("empty query", "spiffe://td/x?"), "a query is not allowed"),
        arguments(named("query holding a slash", "spiffe://td?a=/b"), "a query is not allowed"),
        arguments(named("fragment", "spiffe://td/x#frag"), "a fragment is not allowed"),
        arguments(named("fragment holding '?'", "spiffe://td#a?b"), "a fragment is not allowed"),
        arguments(named("percent in path", "spiffe://td/a%20b"),
            "percent-encoding is not allowed"),
        arguments(named("percent-encoded dots", "spiffe://td/%2e%2e"),
            "percent-encoding is not allowed"),
        arguments(named("percent in trust domain", "spiffe://td%2Fx"),
            "percent-encoding is not allowed"),
        // path
        arguments(named("empty first segment", "spiffe://td//x"),
            "path segment must not be empty"),
        arguments(named("empty middle segment", "spiffe://td/a//b"),
            "path segment must not be empty"),
        arguments(named("dot segment", "spiffe://td/."), "path segment must not be '.'"),
        arguments(named("dot segment in middle", "spiffe://td/a/./b"),
            "path segment must not be '.'"),
        arguments(named("dot-dot segment", "spiffe://td/a/../b"),
            "path segment must not be '..'"),
        arguments(named("slash only", "spiffe://td/"), "path must not end with '/'"),
        arguments(named("trailing slash", "spiffe://td/a/"), "path must not end with '/'"),
        arguments(named("space in path", "spiffe://td/a b"),
            "path segment \"a b\" has a character outside [a-zA-Z0-9.-_]: U+0020"),
        arguments(named("'@' in path", "spiffe://td/a@b"),
            "path segment \"a@b\" has a character outside [a-zA-Z0-9.-_]: '@'"),
        arguments(named("':' in path", "spiffe://td/a:b"),
            "path segment \"a:b\" has a character outside [a-zA-Z0-9.-_]: ':'"),
        arguments(named("non-ASCII in path", "spiffe://td/caf\u00e9"),
            "path segment \"caf\u00e9\" has a character outside [a-zA-Z0-9.-_]: U+00E9"),
        arguments(named("emoji in path", "spiffe://td/\uD83D\uDE00"),
            "path segment \"\uD83D\uDE00\" has a character outside [a-zA-Z0-9.-_]: U+1F600"),
        arguments(named("newline in path", "spiffe://td/a\nb"),
            "path segment \"a\\u000ab\" has a character outside [a-zA-Z0-9.-_]: U+000A"),
        arguments(named("bidi override in path", "spiffe://td/a\u202eb"),
            "path segment \"a\\u202eb\" has a character outside [a-zA-Z0-9.-_]: U+202E"),
        arguments(named("quote in path", "spiffe://td/a\"b"),
            "path segment \"a\\u0022b\" has a character outside [a-zA-Z0-9.-_]: '\"'"),
        arguments(named("long bad segment", "spiffe://td/" + "a".repeat(100) + "!"),
            "path segment \"" + "a".repeat(64) + "...(101 chars)\" has a character outside"
                + " [a-zA-Z0-9.-_]: '!'"),
        // length: bytes, checked before anything else
        arguments(named("2049 bytes", tooLong), "longer than 2048 bytes: 2049 bytes in UTF-8"),
        arguments(named("2050 bytes of 2-byte characters", e1019),
            "longer than 2048 bytes: 2050 bytes in UTF-8"),
        arguments(named("2048 bytes of 2-byte characters", e1018),
            "path segment \"" + "\u00e9".repeat(64) + "...(1018 chars)\" has a character"
                + " outside [a-zA-Z0-9.-_]: U+00E9"),
        arguments(named("too long and upper-case", "SPIFFE://td" + PATH_TO_2048 + "p"),
            "longer than 2048 bytes: 2049 bytes in UTF-8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidIds")
  void rejectsInvalidIdNamingTheRule(String input, String rule) {
    InvalidSpiffeIdException e =
        catchThrowableOfType(InvalidSpiffeIdException.class, () -> SpiffeId.parse(input));

    assertThat(e).as("parse(%s)", input).isNotNull();
    assertThat(e.rule()).isEqualTo(rule);
    assertThat(e.input()).isEqualTo(input);
    assertThat(e).isInstanceOf(IllegalArgumentException.class);
    assertThat(e.getMessage()).startsWith("invalid SPIFFE ID \"").endsWith("\": " + rule);
    assertThat(e.getMessage().chars()).noneMatch(Character::isISOControl);
  }

  @Test
  void messageShowsShortenedEscapedInput() {
    String input = "spiffe://td/a\tb" + "c".repeat(300);

    InvalidSpiffeIdException e =
        catchThrowableOfType(InvalidSpiffeIdException.class, () -> SpiffeId.parse(input));

    assertThat(e.getMessage()).startsWith("invalid SPIFFE ID \"spiffe://td/a\\u0009bccc")
        .contains("...(" + input.length() + " chars)\": path segment \"a\\u0009bccc");
  }

  @Test
  void rejectsNull() {
    assertThatNullPointerException().isThrownBy(() -> SpiffeId.parse(null)).withMessage("id");
  }

  @Test
  void ofBuildsTheIdItWouldParse() {
    SpiffeId id = SpiffeId.of(TRUST_DOMAIN_A, "ns", "default", "dc", "dc1", "svc", "web");

    assertThat(id.toString()).isEqualTo(WEB);
    assertThat(id).isEqualTo(SpiffeId.parse(WEB));
    assertThat(SpiffeId.of(TRUST_DOMAIN_A).toString()).isEqualTo("spiffe://" + TRUST_DOMAIN_A);
    assertThat(SpiffeId.of(TRUST_DOMAIN_A, new String[0]).path()).isEmpty();
  }

  static Stream<Arguments> invalidOfArguments() {
    return Stream.of(
        arguments("", new String[] {"x"}, "spiffe:///x", "trust domain is missing"),
        arguments("Td", new String[0], "spiffe://Td", "trust domain must be lower-case"),
        arguments("td:80", new String[0], "spiffe://td:80", "a port is not allowed"),
        arguments("u@td", new String[0], "spiffe://u@td", "user info is not allowed"),
        arguments("td?q", new String[0], "spiffe://td?q", "a query is not allowed"),
        arguments("td#f", new String[0], "spiffe://td#f", "a fragment is not allowed"),
        arguments("a/b", new String[0], "spiffe://a/b", "trust domain must not contain '/'"),
        arguments("a" + TD_255, new String[0], "spiffe://a" + TD_255,
            "trust domain longer than 255 bytes"),
        arguments("td", new String[] {""}, "spiffe://td/", "path segment must not be empty"),
        arguments("td", new String[] {"a", "", "b"}, "spiffe://td/a//b",
            "path segment must not be empty"),
        arguments("td", new String[] {"."}, "spiffe://td/.", "path segment must not be '.'"),
        arguments("td", new String[] {".."}, "spiffe://td/..", "path segment must not be '..'"),
        arguments("td", new String[] {"a/b"}, "spiffe://td/a/b",
            "path segment must not contain '/'"),
        arguments("td", new String[] {"a?b"}, "spiffe://td/a?b", "a query is not allowed"),
        arguments("td", new String[] {"a#b"}, "spiffe://td/a#b", "a fragment is not allowed"),
        arguments("td", new String[] {"a%2F"}, "spiffe://td/a%2F",
            "percent-encoding is not allowed"),
        arguments("td", new String[] {"we b"}, "spiffe://td/we b",
            "path segment \"we b\" has a character outside [a-zA-Z0-9.-_]: U+0020"),
        arguments("td", new String[] {PATH_TO_2048.substring(1), "p"},
            "spiffe://td" + PATH_TO_2048 + "/p", "longer than 2048 bytes: 2050 bytes in UTF-8"));
  }

  @ParameterizedTest(name = "of({0}, {1})")
  @MethodSource("invalidOfArguments")
  void ofRejectsWhatParseRejects(String trustDomain, String[] segments, String whole,
      String rule) {
    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class,
        () -> SpiffeId.of(trustDomain, segments));

    assertThat(e).isNotNull();
    assertThat(e.rule()).isEqualTo(rule);
    assertThat(e.input()).isEqualTo(whole);
    // The same text is rejected by parse, for the same reason, except for what only of() sees.
    if (!rule.contains("'/'")) {
      InvalidSpiffeIdException p =
          catchThrowableOfType(InvalidSpiffeIdException.class, () -> SpiffeId.parse(whole));
      assertThat(p).isNotNull();
    }
  }

  @Test
  void ofRejectsNulls() {
    assertThatNullPointerException().isThrownBy(() -> SpiffeId.of(null))
        .withMessage("trustDomain");
    assertThatNullPointerException().isThrownBy(() -> SpiffeId.of("td", (String[]) null))
        .withMessage("segments");
    assertThatNullPointerException().isThrownBy(() -> SpiffeId.of("td", "a", null))
        .withMessage("segment");
  }

  @Test
  void segmentsSplitThePath() {
    assertThat(SpiffeId.parse(WEB).segments())
        .containsExactly("ns", "default", "dc", "dc1", "svc", "web");
    assertThat(SpiffeId.parse("spiffe://td/only").segments()).containsExactly("only");
    assertThat(SpiffeId.parse("spiffe://" + TRUST_DOMAIN_A).segments()).isEmpty();
    assertThat(SpiffeId.of("td", "a", "..b", "c.").segments()).containsExactly("a", "..b", "c.");
  }

  @Test
  void segmentsCannotBeModified() {
    List<String> segments = SpiffeId.parse(WEB).segments();

    assertThat(catchThrowableOfType(UnsupportedOperationException.class,
        () -> segments.set(0, "x"))).isNotNull();
  }

  @Test
  void toUriKeepsTheText() {
    URI uri = SpiffeId.parse(WEB).toUri();

    assertThat(uri.toString()).isEqualTo(WEB);
    assertThat(uri.getScheme()).isEqualTo("spiffe");
    assertThat(uri.getHost()).isEqualTo(TRUST_DOMAIN_A);
    assertThat(uri.getPort()).isEqualTo(-1);
    assertThat(uri.getRawPath()).isEqualTo("/ns/default/dc/dc1/svc/web");
    assertThat(uri.getQuery()).isNull();
    assertThat(SpiffeId.parse(uri.toString())).isEqualTo(SpiffeId.parse(WEB));
  }

  @Test
  void toUriOfTrustDomainThatIsNoHostNameHasAuthorityButNoHost() {
    URI uri = SpiffeId.parse("spiffe://a_b/x").toUri();

    assertThat(uri.toString()).isEqualTo("spiffe://a_b/x");
    assertThat(uri.getAuthority()).isEqualTo("a_b");
    assertThat(uri.getHost()).isNull();
    assertThat(SpiffeId.parse("spiffe://" + TRUST_DOMAIN_A).toUri().getPath()).isEmpty();
  }

  @Test
  void equalsAndHashCodeFollowTheText() {
    SpiffeId a = SpiffeId.parse(WEB);
    SpiffeId b = SpiffeId.of(TRUST_DOMAIN_A, "ns", "default", "dc", "dc1", "svc", "web");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isEqualTo(a);
    assertThat(a).isNotEqualTo(SpiffeId.parse(WEB.replace("/web", "/Web")));
    assertThat(a).isNotEqualTo(SpiffeId.parse(WEB.replace("/web", "/db")));
    assertThat(a).isNotEqualTo(SpiffeId.parse(WEB.replace(TRUST_DOMAIN_A, TRUST_DOMAIN_D)));
    assertThat(SpiffeId.parse("spiffe://td/a")).isNotEqualTo(SpiffeId.parse("spiffe://td"));
    // Trust domain "td/a" cannot exist, so (td, /a) never collides with another split.
    assertThat(a).isNotEqualTo(WEB);
    assertThat(a).isNotEqualTo(null);
  }

  static Stream<String> samplePemFiles() {
    return Samples.pemFiles().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplePemFiles")
  void fromCertificateReadsTheUriSanOfEveryRecordedCertificate(String pemFile) {
    X509Certificate certificate = Samples.certificate(pemFile);
    List<String> opensslUris = Samples.opensslUriSans(pemFile);
    assertThat(opensslUris).as("URI SANs printed by openssl for " + pemFile).hasSize(1);

    SpiffeId id = SpiffeId.fromCertificate(certificate);

    assertThat(id.toString()).isEqualTo(opensslUris.get(0));
  }

  @Test
  void fromCertificateOfRecordedLeafAndRoot() {
    assertThat(SpiffeId.fromCertificate(Samples.certificate("leaf-web.crt.pem")))
        .isEqualTo(SpiffeId.parse(WEB));
    assertThat(SpiffeId.fromCertificate(Samples.certificate("root-initial-0.crt.pem")))
        .isEqualTo(SpiffeId.of(TRUST_DOMAIN_A));
    assertThat(SpiffeId.fromCertificate(Samples.certificate("nondev-rsa-leaf-web.crt.pem")))
        .isEqualTo(SpiffeId.of(TRUST_DOMAIN_D, "ns", "default", "dc", "dc1", "svc", "web"));
  }

  @Test
  void fromCertificateWithoutSanExtensionIsRejected() {
    X509Certificate certificate = leaf().noUri().serial(BigInteger.valueOf(0x1234)).build()
        .certificate();

    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class,
        () -> SpiffeId.fromCertificate(certificate));

    assertThat(e).isNotNull();
    assertThat(e.rule()).isEqualTo("an X.509 SVID must carry exactly one URI SAN, found 0");
    assertThat(e.input()).isEqualTo("serial 1234");
  }

  @Test
  void fromCertificateWithDnsSanOnlyIsRejected() {
    X509Certificate certificate = leaf().noUri().dnsName("localhost").build().certificate();

    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class,
        () -> SpiffeId.fromCertificate(certificate));

    assertThat(e).isNotNull();
    assertThat(e.rule()).isEqualTo("an X.509 SVID must carry exactly one URI SAN, found 0");
  }

  @Test
  void fromCertificateWithTwoUriSansIsRejectedNamingBoth() {
    String db = WEB.replace("/web", "/db");
    X509Certificate certificate = leaf().uri(WEB).additionalUri(db).build().certificate();

    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class,
        () -> SpiffeId.fromCertificate(certificate));

    assertThat(e).isNotNull();
    assertThat(e.rule()).isEqualTo("an X.509 SVID must carry exactly one URI SAN, found 2");
    assertThat(e.input()).isEqualTo(WEB + ", " + db);
  }

  @Test
  void fromCertificateIgnoresDnsNamesBesideTheUri() {
    // Consul adds DNS localhost and loopback IPs to agent-identity certificates.
    X509Certificate certificate = leaf().uri(WEB).dnsName("localhost").build()
        .certificate();

    assertThat(SpiffeId.fromCertificate(certificate)).isEqualTo(SpiffeId.parse(WEB));
  }

  @Test
  void fromCertificateWithInvalidUriSanReportsTheParseRule() {
    X509Certificate certificate = leaf().uri("https://example.com/web").build()
        .certificate();

    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class,
        () -> SpiffeId.fromCertificate(certificate));

    assertThat(e).isNotNull();
    assertThat(e.rule()).isEqualTo("scheme must be \"spiffe\", not \"https\"");
    assertThat(e.input()).isEqualTo("https://example.com/web");
  }

  @Test
  void fromCertificateRejectsNull() {
    assertThatNullPointerException().isThrownBy(() -> SpiffeId.fromCertificate(null))
        .withMessage("certificate");
  }

  /** Starts a leaf of a throwaway CA, whose SANs each test sets. */
  private static TestLeaf.Builder leaf() {
    return TestCertificates.root().build().leaf("web");
  }
}
