package dev.connect.test;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ConnectId;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.SpiffeId;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an X.509 certificate, in the terms of Connect: SPIFFE IDs, issuers,
 * validity and the leaf profile. Made by {@link ConnectAssertions#assertThat(X509Certificate)}.
 *
 * <p>Every failure message describes the certificate (subject, serial, URI SANs, notBefore,
 * notAfter) and says what differed.
 */
public final class CertificateAssert extends AbstractAssert<CertificateAssert, X509Certificate> {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String ANY_USAGE = "2.5.29.37.0";

  CertificateAssert(X509Certificate actual) {
    super(actual, CertificateAssert.class);
  }

  private String describe() {
    return TestCertificates.describe(actual);
  }

  /**
   * Verifies that the certificate carries exactly one URI SAN, equal to {@code spiffeId}.
   *
   * @param spiffeId such as {@code spiffe://7f3c.consul/ns/default/dc/dc1/svc/web}
   * @return this
   */
  public CertificateAssert hasSpiffeId(String spiffeId) {
    requireNonNull(spiffeId, "spiffeId");
    isNotNull();
    List<String> uris = TestCertificates.uriSans(actual);
    if (!uris.equals(List.of(spiffeId))) {
      failWithMessage("%nExpecting certificate%n  %s%nto have the single URI SAN%n  %s%n"
          + "but its URI SANs were%n  %s", describe(), spiffeId, uris);
    }
    return this;
  }

  /**
   * Verifies that the certificate carries exactly one URI SAN, equal to {@code spiffeId}.
   *
   * @param spiffeId the expected ID
   * @return this
   */
  public CertificateAssert hasSpiffeId(SpiffeId spiffeId) {
    return hasSpiffeId(requireNonNull(spiffeId, "spiffeId").toString());
  }

  /**
   * Verifies that the certificate carries exactly one URI SAN, equal to {@code id}.
   *
   * @param id a service, agent or signing ID
   * @return this
   */
  public CertificateAssert hasSpiffeId(ConnectId id) {
    return hasSpiffeId(requireNonNull(id, "id").spiffeId().toString());
  }

  /**
   * Verifies that the certificate carries exactly one URI SAN, as an X.509 SVID must.
   *
   * @return this
   */
  public CertificateAssert hasSingleUriSan() {
    isNotNull();
    List<String> uris = TestCertificates.uriSans(actual);
    if (uris.size() != 1) {
      failWithMessage("%nExpecting certificate%n  %s%nto have exactly one URI SAN but it had"
          + " %s: %s", describe(), uris.size(), uris);
    }
    return this;
  }

  /**
   * Verifies that the certificate carries no URI SAN at all.
   *
   * @return this
   */
  public CertificateAssert hasNoUriSan() {
    isNotNull();
    List<String> uris = TestCertificates.uriSans(actual);
    if (!uris.isEmpty()) {
      failWithMessage("%nExpecting certificate%n  %s%nto have no URI SAN but it had %s",
          describe(), uris);
    }
    return this;
  }

  /**
   * Verifies that the certificate's URI SANs are exactly {@code uris}, in this order.
   *
   * @param uris the expected URI SANs
   * @return this
   */
  public CertificateAssert hasUriSans(String... uris) {
    requireNonNull(uris, "uris");
    isNotNull();
    List<String> actualUris = TestCertificates.uriSans(actual);
    if (!actualUris.equals(Arrays.asList(uris))) {
      failWithMessage("%nExpecting certificate%n  %s%nto have the URI SANs%n  %s%nbut they were"
          + "%n  %s", describe(), Arrays.asList(uris), actualUris);
    }
    return this;
  }

  /**
   * Verifies that the certificate's single URI SAN is a SPIFFE ID in {@code trustDomain}.
   *
   * @param trustDomain such as {@code 7f3c.consul}
   * @return this
   */
  public CertificateAssert isInTrustDomain(String trustDomain) {
    requireNonNull(trustDomain, "trustDomain");
    hasSingleUriSan();
    String uri = TestCertificates.uriSans(actual).get(0);
    String actualDomain;
    try {
      actualDomain = SpiffeId.parse(uri).trustDomain();
    } catch (InvalidSpiffeIdException e) {
      failWithMessage("%nExpecting certificate%n  %s%nto be in trust domain %s but its URI SAN"
          + " is not a SPIFFE ID: %s", describe(), trustDomain, e.getMessage());
      return this;
    }
    if (!actualDomain.equals(trustDomain)) {
      failWithMessage("%nExpecting certificate%n  %s%nto be in trust domain%n  %s%nbut it is in"
          + "%n  %s", describe(), trustDomain, actualDomain);
    }
    return this;
  }

  /**
   * Verifies that {@code issuer} issued the certificate: the issuer name is the issuer's
   * subject and the signature verifies with the issuer's public key.
   *
   * @param issuer the expected issuer, a root or intermediate
   * @return this
   */
  public CertificateAssert isSignedBy(X509Certificate issuer) {
    requireNonNull(issuer, "issuer");
    isNotNull();
    if (!actual.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      failWithMessage("%nExpecting certificate%n  %s%nto be issued by%n  %s%nbut its issuer is"
          + "%n  \"%s\"", describe(), TestCertificates.describe(issuer),
          actual.getIssuerX500Principal().getName());
    }
    try {
      actual.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException e) {
      failWithMessage("%nExpecting certificate%n  %s%nto be signed by the key of%n  %s%n"
          + "but the signature does not verify: %s", describe(), TestCertificates.describe(issuer), e);
    }
    return this;
  }

  /**
   * Verifies that the certificate validates with the JDK's PKIX validator against {@code
   * anchor} at {@code instant}, through {@code intermediates} (leaf-first order, without the
   * anchor), with revocation checks off, as a Connect peer checks it.
   *
   * @param anchor the trusted root
   * @param instant the validation date
   * @param intermediates the certificates between the leaf and the anchor
   * @return this
   */
  public CertificateAssert chainsTo(X509Certificate anchor, Instant instant,
      X509Certificate... intermediates) {
    requireNonNull(anchor, "anchor");
    requireNonNull(instant, "instant");
    requireNonNull(intermediates, "intermediates");
    isNotNull();
    List<X509Certificate> path = new ArrayList<>();
    path.add(actual);
    path.addAll(Arrays.asList(intermediates));
    try {
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(instant));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (CertPathValidatorException e) {
      failWithMessage("%nExpecting certificate%n  %s%nto chain to%n  %s%nat %s but PKIX"
          + " validation failed: %s", describe(), TestCertificates.describe(anchor), instant, e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation is not available in this JVM", e);
    }
    return this;
  }

  /**
   * Verifies that the certificate is valid at {@code instant}: notBefore &lt;= instant &lt;=
   * notAfter.
   *
   * @param instant the instant to check
   * @return this
   */
  public CertificateAssert isValidAt(Instant instant) {
    requireNonNull(instant, "instant");
    isNotNull();
    try {
      actual.checkValidity(Date.from(instant));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      failWithMessage("%nExpecting certificate%n  %s%nto be valid at %s but it %s",
          describe(), instant, e instanceof CertificateExpiredException
              ? "had expired" : "was not yet valid");
    }
    return this;
  }

  /**
   * Verifies that the certificate is not valid at {@code instant}: before its notBefore or
   * after its notAfter.
   *
   * @param instant the instant to check
   * @return this
   */
  public CertificateAssert isNotValidAt(Instant instant) {
    requireNonNull(instant, "instant");
    isNotNull();
    try {
      actual.checkValidity(Date.from(instant));
      failWithMessage("%nExpecting certificate%n  %s%nnot to be valid at %s but it was",
          describe(), instant);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      return this;
    }
    return this;
  }

  /**
   * Verifies that the certificate's notAfter is at most {@code duration} after the clock's
   * now (it may already have passed).
   *
   * @param duration the longest remaining lifetime allowed
   * @param clock what "now" is
   * @return this
   */
  public CertificateAssert expiresWithin(Duration duration, Clock clock) {
    requireNonNull(duration, "duration");
    requireNonNull(clock, "clock");
    isNotNull();
    Instant now = clock.instant();
    Instant notAfter = actual.getNotAfter().toInstant();
    if (notAfter.isAfter(now.plus(duration))) {
      failWithMessage("%nExpecting certificate%n  %s%nto expire within %s of %s but it expires"
          + " %s after it", describe(), duration, now, Duration.between(now, notAfter));
    }
    return this;
  }

  /**
   * Verifies the serial number.
   *
   * @param serial the expected serial
   * @return this
   */
  public CertificateAssert hasSerial(BigInteger serial) {
    requireNonNull(serial, "serial");
    isNotNull();
    if (!actual.getSerialNumber().equals(serial)) {
      failWithMessage("%nExpecting certificate%n  %s%nto have serial %s but it had %s",
          describe(), serial.toString(16), actual.getSerialNumber().toString(16));
    }
    return this;
  }

  /**
   * Verifies that the certificate is a CA: basic constraints CA:TRUE.
   *
   * @return this
   */
  public CertificateAssert isCa() {
    isNotNull();
    if (actual.getBasicConstraints() < 0) {
      failWithMessage("%nExpecting certificate%n  %s%nto be a CA (basic constraints CA:TRUE)"
          + " but it is not", describe());
    }
    return this;
  }

  /**
   * Verifies that the certificate is not a CA.
   *
   * @return this
   */
  public CertificateAssert isNotCa() {
    isNotNull();
    if (actual.getBasicConstraints() >= 0) {
      failWithMessage("%nExpecting certificate%n  %s%nnot to be a CA but it has basic"
          + " constraints CA:TRUE", describe());
    }
    return this;
  }

  /**
   * Verifies that the certificate may be used by a TLS client: no extended key usage, or one
   * listing clientAuth (or anyExtendedKeyUsage).
   *
   * @return this
   */
  public CertificateAssert allowsClientAuth() {
    return allows(CLIENT_AUTH, "clientAuth");
  }

  /**
   * Verifies that the certificate may be used by a TLS server: no extended key usage, or one
   * listing serverAuth (or anyExtendedKeyUsage).
   *
   * @return this
   */
  public CertificateAssert allowsServerAuth() {
    return allows(SERVER_AUTH, "serverAuth");
  }

  private CertificateAssert allows(String oid, String name) {
    isNotNull();
    List<String> usages = extendedKeyUsage();
    if (usages != null && !usages.contains(oid) && !usages.contains(ANY_USAGE)) {
      failWithMessage("%nExpecting certificate%n  %s%nto allow %s but its extended key usage is"
          + " %s", describe(), name, names(usages));
    }
    return this;
  }

  /**
   * Verifies every property of a leaf Connect's CA issues (see {@link TestLeaf.Builder}): a
   * single URI SAN that is a service SPIFFE ID, CA:FALSE, key usage with digitalSignature and
   * keyEncipherment, extended key usage exactly clientAuth and serverAuth, subject and authority
   * key identifiers. The message lists every property that is missing.
   *
   * @return this
   */
  public CertificateAssert isConnectLeaf() {
    isNotNull();
    List<String> problems = new ArrayList<>();
    List<String> uris = TestCertificates.uriSans(actual);
    if (uris.size() != 1) {
      problems.add(uris.size() + " URI SANs instead of one");
    } else {
      try {
        if (!(ConnectId.parse(uris.get(0)) instanceof ServiceId)) {
          problems.add("URI SAN is not a service ID");
        }
      } catch (InvalidSpiffeIdException e) {
        problems.add("URI SAN is not a Connect SPIFFE ID (" + e.getMessage() + ")");
      }
    }
    if (actual.getBasicConstraints() >= 0) {
      problems.add("basic constraints CA:TRUE");
    }
    boolean[] keyUsage = actual.getKeyUsage();
    if (keyUsage == null || !keyUsage[0] || !keyUsage[2]) {
      problems.add("key usage lacks digitalSignature or keyEncipherment: "
          + keyUsageNames(keyUsage));
    }
    List<String> usages = extendedKeyUsage();
    if (usages == null || usages.size() != 2 || !usages.contains(CLIENT_AUTH)
        || !usages.contains(SERVER_AUTH)) {
      problems.add("extended key usage is not clientAuth and serverAuth: "
          + (usages == null ? "none" : names(usages)));
    }
    if (actual.getExtensionValue("2.5.29.14") == null) {
      problems.add("no subject key identifier");
    }
    if (actual.getExtensionValue("2.5.29.35") == null) {
      problems.add("no authority key identifier");
    }
    if (!problems.isEmpty()) {
      failWithMessage("%nExpecting certificate%n  %s%nto be a Connect leaf but it has: %s",
          describe(), String.join("; ", problems));
    }
    return this;
  }

  /**
   * Verifies the properties of a Connect root for {@code trustDomain}: CA:TRUE, key usage with
   * keyCertSign, the single URI SAN {@code spiffe://<trustDomain>}, self-issued.
   *
   * @param trustDomain such as {@code 7f3c.consul}
   * @return this
   */
  public CertificateAssert isConnectRoot(String trustDomain) {
    requireNonNull(trustDomain, "trustDomain");
    isNotNull();
    List<String> problems = new ArrayList<>();
    if (actual.getBasicConstraints() < 0) {
      problems.add("not a CA");
    }
    boolean[] keyUsage = actual.getKeyUsage();
    if (keyUsage == null || !keyUsage[5]) {
      problems.add("key usage lacks keyCertSign: " + keyUsageNames(keyUsage));
    }
    String expected = SigningId.of(trustDomain).toString();
    List<String> uris = TestCertificates.uriSans(actual);
    if (!uris.equals(List.of(expected))) {
      problems.add("URI SANs " + uris + " instead of [" + expected + "]");
    }
    if (!actual.getIssuerX500Principal().equals(actual.getSubjectX500Principal())) {
      problems.add("issued by \"" + actual.getIssuerX500Principal().getName() + "\"");
    }
    if (!problems.isEmpty()) {
      failWithMessage("%nExpecting certificate%n  %s%nto be a Connect root of %s but it has: %s",
          describe(), trustDomain, String.join("; ", problems));
    }
    return this;
  }

  private List<String> extendedKeyUsage() {
    try {
      return actual.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      failWithMessage("%nExpecting certificate%n  %s%nto have a readable extended key usage: %s",
          describe(), e.getMessage());
      return null;
    }
  }

  private static List<String> names(List<String> oids) {
    List<String> out = new ArrayList<>();
    for (String oid : oids) {
      out.add(switch (oid) {
        case CLIENT_AUTH -> "clientAuth";
        case SERVER_AUTH -> "serverAuth";
        case ANY_USAGE -> "anyExtendedKeyUsage";
        default -> oid;
      });
    }
    return out;
  }

  private static String keyUsageNames(boolean[] bits) {
    if (bits == null) {
      return "none";
    }
    String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment",
        "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly",
        "decipherOnly"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < bits.length && i < names.length; i++) {
      if (bits[i]) {
        out.add(names[i]);
      }
    }
    return out.toString();
  }
}
