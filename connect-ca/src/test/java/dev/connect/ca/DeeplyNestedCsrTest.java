package dev.connect.ca;

import static dev.connect.ca.CertificateRequestTest.CONFIG;
import static dev.connect.ca.CertificateRequestTest.TD;
import static dev.connect.ca.CertificateRequestTest.TRUST_DOMAIN;
import static dev.connect.ca.CertificateRequestTest.WEB;
import static dev.connect.ca.CertificateRequestTest.assertProblem;
import static dev.connect.ca.CertificateRequestTest.csr;
import static dev.connect.ca.CertificateRequestTest.derToPem;
import static dev.connect.ca.CertificateRequestTest.uri;
import static dev.connect.testkit.TestCertificates.nestedSequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.InvalidCsrException.Problem;
import java.security.KeyPair;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (item 6): a CSR nesting 2,000 SEQUENCEs, about 10 KB of PEM and so under the
 * 64 KiB limit, made BouncyCastle's recursive decoder throw {@link StackOverflowError} out of
 * {@link CertificateRequest#validate}, and so synchronously out of the server's {@code signLeaf}
 * instead of {@link Problem#MALFORMED} in a failed future. The nesting is now measured without
 * recursion before anything is decoded, in the request itself and in the contents of the
 * strings decoded later (an extension's value).
 */
class DeeplyNestedCsrTest {
  private static final String NESTING = "CSR encoding nests more than 32 levels deep";

  static KeyPair keys;

  @BeforeAll
  static void makeKey() {
    keys = LeafRequests.newKeyPair();
  }

  @Test
  void twoThousandNestedSequencesAreMalformedNotAStackOverflow() {
    String pem = derToPem(nestedSequences(2000));
    assertThat(pem.length()).as("about 10 KB, under the 64 KiB limit").isBetween(9_000, 12_000);

    assertProblem(pem, Problem.MALFORMED).hasMessageStartingWith(NESTING);
  }

  @Test
  void deepNestingInsideTheSanExtensionOfASignedRequestIsMalformed() {
    // The SAN extension's value is an OCTET STRING decoded after the request itself.
    Extension san = new Extension(Extension.subjectAlternativeName, false, nestedSequences(2000));
    String pem = csr(keys, List.of(), san);

    assertProblem(pem, Problem.MALFORMED).hasMessageStartingWith(NESTING);
  }

  @Test
  void nestingInsideAnIgnoredExtensionIsMeasuredToo() {
    Extension other = new Extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false,
        nestedSequences(2000));
    assertProblem(csr(keys, List.of(uri(WEB)), other), Problem.MALFORMED)
        .hasMessageStartingWith(NESTING);
  }

  @Test
  void modestNestingInsideAnExtensionIsStillSigned() {
    // The request itself nests eight levels down to an extension's value: 8 + 20 fit in 32.
    Extension other = new Extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false,
        nestedSequences(20));
    CertificateRequest request = CertificateRequest.validate(
        csr(keys, List.of(uri(WEB)), other), TRUST_DOMAIN, "dc1", CONFIG);
    assertThat(request.serviceId().toString()).isEqualTo(WEB);
    assertThat(request.serviceId().trustDomain()).isEqualTo(TD);
  }
}
