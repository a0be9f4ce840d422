package dev.connect.ca;

import static dev.connect.ca.CertificateRequestTest.TD;
import static dev.connect.ca.CertificateRequestTest.assertProblem;
import static dev.connect.ca.CertificateRequestTest.csr;
import static dev.connect.ca.CertificateRequestTest.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.InvalidCsrException.Problem;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (LOW): a refused CSR's message listed every SAN it carried, so a 64 KiB CSR with
 * thousands of SANs made one huge log line. The message now shows the first five and a count.
 */
class CsrWithThousandsOfSansTest {
  static KeyPair keys;

  @BeforeAll
  static void makeKey() {
    keys = LeafRequests.newKeyPair();
  }

  @Test
  void thousandsOfUriSansShowTheFirstFiveAndACount() {
    List<GeneralName> sans = new ArrayList<>();
    sans.add(uri("spiffe://" + TD + "/ns/default/dc/dc1/svc/web"));
    for (int i = 1; i < 5000; i++) {
      sans.add(uri("x:" + i));
    }
    String pem = csr(keys, sans);
    assertThat(pem.length()).as("still within the 64 KiB limit").isLessThan(64 * 1024);

    assertProblem(pem, Problem.MULTIPLE_URI_SANS).hasMessage("CSR has 5000 URI subject"
        + " alternative names, exactly one is allowed: spiffe://" + TD
        + "/ns/default/dc/dc1/svc/web, x:1, x:2, x:3, x:4 and 4995 more");
  }

  @Test
  void thousandsOfDnsSansShowTheFirstFiveAndACount() {
    List<GeneralName> sans = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      sans.add(new GeneralName(GeneralName.dNSName, "h" + i));
    }
    assertProblem(csr(keys, sans), Problem.NO_URI_SAN).hasMessage(
        "CSR has no URI subject alternative name; found only DNS:h0, DNS:h1, DNS:h2, DNS:h3,"
            + " DNS:h4 and 3995 more");
  }

  @Test
  void fewSansAreAllShown() {
    String db = "spiffe://" + TD + "/ns/default/dc/dc1/svc/db";
    String web = "spiffe://" + TD + "/ns/default/dc/dc1/svc/web";
    assertProblem(csr(keys, List.of(uri(web), uri(db))), Problem.MULTIPLE_URI_SANS)
        .hasMessage("CSR has 2 URI subject alternative names, exactly one is allowed: " + web
            + ", " + db);
  }

  @Test
  void controlCharactersInASanAreEscaped() {
    assertProblem(csr(keys, List.of(new GeneralName(GeneralName.dNSName, "a\nb"))),
        Problem.NO_URI_SAN).hasMessageEndingWith("found only DNS:a\\u000ab");
  }
}
