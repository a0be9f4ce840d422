package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.Intentions;
import dev.connect.core.ServiceId;
import dev.connect.core.SpiffeId;
import dev.connect.testkit.FakeTime;
import dev.connect.testkit.TestCa;
import dev.connect.testkit.TestCertificates;
import dev.connect.testkit.TestLeaf;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConnectAssertionsTest {
  static final String TD = "7f3c0a11-0000-4000-8000-000000000001.consul";
  static final String WEB = "spiffe://" + TD + "/ns/default/dc/dc1/svc/web";

  final FakeTime time = FakeTime.create();
  final Instant now = time.instant();
  final TestCa root = TestCertificates.root(TD).clock(time).build();
  final TestLeaf web = root.leaf("web").serial(BigInteger.valueOf(0xabc)).build();
  final X509Certificate cert = web.certificate();

  @Test
  void spiffeIdAssertionsPassOnAConnectLeaf() {
    assertThat(cert).hasSpiffeId(WEB).hasSpiffeId(SpiffeId.parse(WEB))
        .hasSpiffeId(ServiceId.of(TD, "dc1", "web")).hasSingleUriSan().hasUriSans(WEB)
        .isInTrustDomain(TD).isConnectLeaf().isNotCa().allowsClientAuth().allowsServerAuth()
        .hasSerial(BigInteger.valueOf(0xabc));
  }

  @Test
  void hasSpiffeIdFailureNamesTheCertificateAndItsSans() {
    assertThatThrownBy(() -> assertThat(cert).hasSpiffeId(WEB.replace("web", "db")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("to have the single URI SAN")
        .hasMessageContaining(WEB.replace("web", "db"))
        .hasMessageContaining("but its URI SANs were")
        .hasMessageContaining("[" + WEB + "]")
        .hasMessageContaining("subject \"CN=web.svc.default.7f3c0a11.consul\", serial abc")
        .hasMessageContaining("notAfter " + cert.getNotAfter().toInstant());
  }

  @Test
  void uriSanCountFailures() {
    X509Certificate two = root.leaf("web").additionalUri("spiffe://" + TD + "/x").build()
        .certificate();
    assertThatThrownBy(() -> assertThat(two).hasSingleUriSan())
        .hasMessageContaining("to have exactly one URI SAN but it had 2: [" + WEB + ", spiffe://"
            + TD + "/x]");
    assertThatThrownBy(() -> assertThat(cert).hasNoUriSan())
        .hasMessageContaining("to have no URI SAN but it had [" + WEB + "]");
    assertThatThrownBy(() -> assertThat(cert).hasUriSans(WEB, WEB))
        .hasMessageContaining("to have the URI SANs");
    X509Certificate none = root.leaf("web").noUri().build().certificate();
    assertThat(none).hasNoUriSan();
    assertThatThrownBy(() -> assertThat(none).hasSpiffeId(WEB))
        .hasMessageContaining("but its URI SANs were\n  []");
  }

  @Test
  void trustDomainFailureNamesBothDomains() {
    X509Certificate foreign = root.leaf("web").trustDomain("other.consul").build().certificate();
    assertThatThrownBy(() -> assertThat(foreign).isInTrustDomain(TD))
        .hasMessageContaining("to be in trust domain\n  " + TD + "\nbut it is in\n  other.consul");
    X509Certificate notSpiffe = root.leaf("web").uri("https://example.com/web").build()
        .certificate();
    assertThatThrownBy(() -> assertThat(notSpiffe).isInTrustDomain(TD))
        .hasMessageContaining("its URI SAN is not a SPIFFE ID");
  }

  @Test
  void isSignedByPassesForTheIssuerAndFailsForAnother() {
    assertThat(cert).isSignedBy(root.certificate());
    TestCa other = TestCertificates.root(TD).clock(time).build();
    assertThatThrownBy(() -> assertThat(cert).isSignedBy(other.certificate()))
        .hasMessageContaining("to be issued by")
        .hasMessageContaining("but its issuer is\n  \""
            + root.certificate().getSubjectX500Principal().getName() + "\"");
    TestCa sameName = TestCertificates.root(TD).clock(time)
        .subject(root.certificate().getSubjectX500Principal().getName()).build();
    assertThatThrownBy(() -> assertThat(cert).isSignedBy(sameName.certificate()))
        .hasMessageContaining("but the signature does not verify");
  }

  @Test
  void chainsToRunsPkix() {
    TestCa intermediate = root.intermediate().build();
    TestLeaf leaf = intermediate.leaf("db").build();
    assertThat(leaf).chainsTo(root.certificate(), now, intermediate.certificate());
    assertThatThrownBy(() -> assertThat(leaf).chainsTo(root.certificate(), now))
        .hasMessageContaining("to chain to")
        .hasMessageContaining("but PKIX validation failed");
    assertThatThrownBy(() -> assertThat(leaf).chainsTo(root.certificate(),
        now.plus(Duration.ofDays(4)), intermediate.certificate()))
        .hasMessageContaining("but PKIX validation failed: validity check failed");
  }

  @Test
  void validityAssertionsNameTheDates() {
    assertThat(cert).isValidAt(now).isNotValidAt(now.minus(Duration.ofHours(1)))
        .isNotValidAt(now.plus(Duration.ofHours(73))).expiresWithin(Duration.ofHours(72), time);
    assertThatThrownBy(() -> assertThat(cert).isValidAt(now.plus(Duration.ofDays(3))))
        .hasMessageContaining("to be valid at 2030-01-04T00:00:00Z but it had expired")
        .hasMessageContaining("notAfter 2030-01-03T23:59:00Z");
    assertThatThrownBy(() -> assertThat(cert).isValidAt(now.minus(Duration.ofDays(1))))
        .hasMessageContaining("but it was not yet valid")
        .hasMessageContaining("notBefore 2029-12-31T23:59:00Z");
    assertThatThrownBy(() -> assertThat(cert).isNotValidAt(now))
        .hasMessageContaining("not to be valid at 2030-01-01T00:00:00Z but it was");
    assertThatThrownBy(() -> assertThat(cert).expiresWithin(Duration.ofHours(1), time))
        .hasMessageContaining("to expire within PT1H of 2030-01-01T00:00:00Z but it expires"
            + " PT71H59M after it");
  }

  @Test
  void profileAssertionsListEveryProblem() {
    X509Certificate bad = root.leaf("web").serverAuthOnly().additionalUri("spiffe://" + TD)
        .build().certificate();
    assertThatThrownBy(() -> assertThat(bad).isConnectLeaf())
        .hasMessageContaining("to be a Connect leaf but it has: 2 URI SANs instead of one;"
            + " extended key usage is not clientAuth and serverAuth: [serverAuth]");
    X509Certificate noDigital = root.leaf("web").withoutDigitalSignature().build().certificate();
    assertThatThrownBy(() -> assertThat(noDigital).isConnectLeaf())
        .hasMessageContaining("key usage lacks digitalSignature or keyEncipherment:"
            + " [keyEncipherment]");
    assertThatThrownBy(() -> assertThat(root.certificate()).isConnectLeaf())
        .hasMessageContaining("URI SAN is not a service ID; basic constraints CA:TRUE");
    assertThatThrownBy(() -> assertThat(root).isNotCa())
        .hasMessageContaining("not to be a CA but it has basic constraints CA:TRUE");
    assertThat(root).isConnectRoot(TD).isCa();
    assertThatThrownBy(() -> assertThat(cert).isConnectRoot(TD))
        .hasMessageContaining("to be a Connect root of " + TD + " but it has: not a CA;"
            + " key usage lacks keyCertSign");
    assertThatThrownBy(() -> assertThat(cert).isCa())
        .hasMessageContaining("to be a CA (basic constraints CA:TRUE) but it is not");
    assertThatThrownBy(() -> assertThat(root.intermediate().build()).isConnectRoot(TD))
        .hasMessageContaining("issued by \"" + root.certificate().getSubjectX500Principal()
            .getName() + "\"");
  }

  @Test
  void extendedKeyUsageAssertionsNameTheUsages() {
    X509Certificate serverOnly = root.leaf("web").serverAuthOnly().build().certificate();
    assertThat(serverOnly).allowsServerAuth();
    assertThatThrownBy(() -> assertThat(serverOnly).allowsClientAuth())
        .hasMessageContaining("to allow clientAuth but its extended key usage is [serverAuth]");
    X509Certificate clientOnly = root.leaf("web").clientAuthOnly().build().certificate();
    assertThatThrownBy(() -> assertThat(clientOnly).allowsServerAuth())
        .hasMessageContaining("to allow serverAuth but its extended key usage is [clientAuth]");
    assertThat(root.leaf("web").noExtendedKeyUsage().build()).allowsClientAuth()
        .allowsServerAuth();
  }

  @Test
  void aCertificateWithManySansShowsTheFirstFive() {
    TestLeaf.Builder builder = root.leaf("web");
    for (int i = 0; i < 9; i++) {
      builder.additionalUri("spiffe://" + TD + "/x" + i);
    }
    X509Certificate many = builder.build().certificate();
    assertThatThrownBy(() -> assertThat(many).isNotCa().isCa())
        .hasMessageContaining("URI SANs [" + WEB + ", spiffe://" + TD + "/x0, spiffe://" + TD
            + "/x1, spiffe://" + TD + "/x2, spiffe://" + TD + "/x3, ... (10 in all)]");
  }

  @Test
  void serialFailureShowsBothInHex() {
    assertThatThrownBy(() -> assertThat(cert).hasSerial(BigInteger.valueOf(255)))
        .hasMessageContaining("to have serial ff but it had abc");
  }

  @Test
  void nullCertificateOrDecisionFails() {
    assertThatThrownBy(() -> assertThat((X509Certificate) null).hasSingleUriSan())
        .isInstanceOf(AssertionError.class).hasMessageContaining("Expecting actual not to be null");
    assertThatThrownBy(() -> assertThat((Decision) null).isAllowed())
        .isInstanceOf(AssertionError.class).hasMessageContaining("Expecting actual not to be null");
  }

  @Test
  void decisionAssertionsOnRealDecisions() {
    Intention allowWebDb = Intention.of("web", "db", IntentionAction.ALLOW);
    Intentions intentions = Intentions.of(List.of(allowWebDb));
    Decision allowed = intentions.check("web", "db", DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
    Decision denied = intentions.check("api", "db", DefaultIntentionPolicy.ACLS_DEFAULT_DENY);

    assertThat(allowed).isAllowed().hasReasonContaining("Matched L4 intention")
        .hasReasonContaining("default/web => default/db").wasDecidedBy(allowWebDb);
    assertThat(denied).isDenied().hasReason("Default behavior configured by ACLs")
        .wasDecidedByDefault();

    assertThatThrownBy(() -> assertThat(denied).isAllowed())
        .hasMessageContaining("Expecting the decision to allow but it denied, with reason\n"
            + "  Default behavior configured by ACLs");
    assertThatThrownBy(() -> assertThat(allowed).isDenied())
        .hasMessageContaining("Expecting the decision to deny but it allowed, with reason\n"
            + "  Matched L4 intention: default/web => default/db");
    assertThatThrownBy(() -> assertThat(denied).hasReason("nope"))
        .hasMessageContaining("Expecting the decision (denied) to have the reason\n  nope\n"
            + "but it was\n  Default behavior configured by ACLs");
    assertThatThrownBy(() -> assertThat(allowed).hasReasonContaining("ACLs"))
        .hasMessageContaining("Expecting the reason of the decision (allowed)\n"
            + "  Matched L4 intention");
    assertThatThrownBy(() -> assertThat(denied).wasDecidedBy(allowWebDb))
        .hasMessageContaining("but it was made by no intention (a default)");
    assertThatThrownBy(() -> assertThat(allowed).wasDecidedByDefault())
        .hasMessageContaining("to be made by no intention but it was made by");
    Decision manual = new Decision(false, "connect: authz denied", Optional.empty());
    assertThat(manual).isDenied().hasReason("connect: authz denied");
  }
}
