package dev.connect.ca;

import static dev.connect.ca.CertificateRequestTest.TD;
import static dev.connect.ca.CertificateRequestTest.assertProblem;
import static dev.connect.ca.CertificateRequestTest.csr;
import static dev.connect.ca.CertificateRequestTest.uri;

import dev.connect.core.InvalidCsrException.Problem;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (item 8): {@code connect leaf WEB} was issued a leaf that no {@code web}
 * intention covers, since the CA took any SPIFFE path segment as a service name while intention
 * writes took almost anything. The CA now applies the same {@link dev.connect.core.ServiceNames}
 * rule as every intention write, and refuses a CSR for another name with {@link
 * Problem#NOT_A_SERVICE_ID} naming it.
 */
class CsrForANameNoIntentionCanNameTest {
  static KeyPair keys;

  @BeforeAll
  static void makeKey() {
    keys = LeafRequests.newKeyPair();
  }

  @Test
  void anUpperCaseServiceNameIsRefusedNamingIt() {
    String pem = csr(keys, List.of(uri("spiffe://" + TD + "/ns/default/dc/dc1/svc/WEB")));
    assertProblem(pem, Problem.NOT_A_SERVICE_ID).hasMessage("SPIFFE ID in CSR names a service no"
        + " intention can name: service name \"WEB\" has upper case; service names are lower case"
        + " (upper case is refused, not folded): write \"web\"");
  }

  @Test
  void aServiceNameLongerThanTheBoundIsRefused() {
    String pem = csr(keys, List.of(uri("spiffe://" + TD + "/ns/default/dc/dc1/svc/"
        + "w".repeat(257))));
    assertProblem(pem, Problem.NOT_A_SERVICE_ID)
        .hasMessageContaining("is 257 characters long; the limit is 256");
  }
}
