package dev.connect.ca;

import static dev.connect.ca.CertificateRequestTest.CONFIG;
import static dev.connect.ca.CertificateRequestTest.TD;
import static dev.connect.ca.CertificateRequestTest.TRUST_DOMAIN;
import static dev.connect.ca.CertificateRequestTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.InvalidCsrException.Problem;
import dev.connect.core.ServiceId;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (HIGH): {@link CertificateRequest#validate} accepted any namespace ({@code ns})
 * and admin partition ({@code ap}) in the CSR's SPIFFE ID. Intentions only match services of the
 * {@code default} namespace and partition, and ACL {@code service:write} is keyed by the service
 * name alone, so whoever may write {@code web} got a leaf for {@code
 * spiffe://<td>/ns/evil/dc/dc1/svc/web} that slipped past a {@code *=>db DENY} intention.
 * Namespaces and partitions are a Consul Enterprise feature this CA does not support.
 */
class CsrInAnotherNamespaceTest {
  static KeyPair keys;

  @BeforeAll
  static void makeKey() {
    keys = LeafRequests.newKeyPair();
  }

  @Test
  void leafInAnotherNamespaceWouldEscapeADenyIntention() {
    ServiceId evil = new ServiceId(TD, "default", "evil", "dc1", "web");
    IntentionTarget everything = IntentionTarget.parse("*");
    assertThat(everything.matches(evil)).as("why the CSR must be refused").isFalse();

    assertProblem(LeafRequests.csrPem(evil, keys), Problem.NAMESPACE_NOT_SUPPORTED).hasMessage(
        "SPIFFE ID in CSR names namespace evil in partition default; namespaces and admin"
            + " partitions are a Consul Enterprise feature this CA does not support: it signs"
            + " only the default namespace of the default partition");
  }

  @Test
  void anotherPartitionIsRefusedToo() {
    assertProblem(LeafRequests.csrPem(new ServiceId(TD, "part1", "default", "dc1", "web"), keys),
        Problem.NAMESPACE_NOT_SUPPORTED)
        .hasMessageStartingWith("SPIFFE ID in CSR names namespace default in partition part1;");
    assertProblem(LeafRequests.csrPem(new ServiceId(TD, "part1", "team-a", "dc1", "web"), keys),
        Problem.NAMESPACE_NOT_SUPPORTED)
        .hasMessageStartingWith("SPIFFE ID in CSR names namespace team-a in partition part1;");
  }

  @Test
  void defaultNamespaceAndPartitionWrittenOutAreAccepted() {
    String explicit = CertificateRequestTest.csr(keys, List.of(
        CertificateRequestTest.uri("spiffe://" + TD + "/ap/default/ns/default/dc/dc1/svc/web")));
    assertThat(CertificateRequest.validate(explicit, TRUST_DOMAIN, "dc1", CONFIG).serviceId())
        .isEqualTo(ServiceId.of(TD, "dc1", "web"));
  }

  @Test
  void denyIntentionCoversEveryLeafTheCaSigns() {
    Intention deny = Intention.of("*", "db", IntentionAction.DENY);
    ServiceId web = CertificateRequest.validate(
        LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), keys), TRUST_DOMAIN, "dc1", CONFIG)
        .serviceId();
    assertThat(deny.source().matches(web)).isTrue();
  }
}
