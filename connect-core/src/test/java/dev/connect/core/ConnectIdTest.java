package dev.connect.core;

import static dev.connect.core.Samples.TRUST_DOMAIN_A;
import static dev.connect.core.Samples.TRUST_DOMAIN_B;
import static dev.connect.core.Samples.TRUST_DOMAIN_C;
import static dev.connect.core.Samples.TRUST_DOMAIN_D;
import static dev.connect.core.Samples.TRUST_DOMAIN_E;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectIdTest {
  private static final String SERVICE_FORM = "a service identity must have the path"
      + " [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>";
  private static final String AGENT_FORM = "an agent identity must have the path"
      + " [/ap/<partition>]/agent/client/dc/<dc>/id/<node>";
  private static final String UNKNOWN_FORM = "not in a Connect form: expected"
      + " [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>,"
      + " [/ap/<partition>]/agent/client/dc/<dc>/id/<node> or no path";
  private static final String NOT_A_SERVICE = "not a service identity"
      + " (expected [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>)";
  private static final String AGENT_URI = "spiffe://" + TRUST_DOMAIN_A
      + "/agent/client/dc/dc1/id/11111111-2222-3333-4444-555555555555";

  /** Every service ID that appears in the recorded Consul exchanges. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul/ns/default/dc/dc1/svc/web              | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | default | dc1 | web
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul/ns/default/dc/dc1/svc/unregistered-svc | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | default | dc1 | unregistered-svc
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul/ns/foo/dc/dc1/svc/web                  | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | foo     | dc1 | web
      spiffe://5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul/ns/default/dc/dc2/svc/web              | 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul | default | dc2 | web
      spiffe://a4c26d5c-4b2c-7499-572b-d6b5816cbd52.consul/ns/default/dc/dc1/svc/api              | a4c26d5c-4b2c-7499-572b-d6b5816cbd52.consul | default | dc1 | api
      spiffe://a4a32c6f-53fe-3472-fdda-9b85ce0a9631.consul/ns/default/dc/dc1/svc/web              | a4a32c6f-53fe-3472-fdda-9b85ce0a9631.consul | default | dc1 | web
      spiffe://1078fffb-c1ff-837f-4228-8574bb8385f4.consul/ns/default/dc/dc1/svc/other            | 1078fffb-c1ff-837f-4228-8574bb8385f4.consul | default | dc1 | other
      spiffe://083c0664-f45c-cf9e-abf0-c34d14c800b2.consul/ns/default/dc/dc1/svc/api              | 083c0664-f45c-cf9e-abf0-c34d14c800b2.consul | default | dc1 | api
      spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web              | 11111111-2222-3333-4444-555555555555.consul | default | dc1 | web
      """)
  void readsRecordedServiceIds(String uri, String trustDomain, String namespace,
      String datacenter, String service) {
    ConnectId id = ConnectId.parse(uri);

    assertThat(id).isEqualTo(new ServiceId(trustDomain, "default", namespace, datacenter,
        service));
    assertThat(ServiceId.parse(uri)).isEqualTo(id);
    assertThat(id.trustDomain()).isEqualTo(trustDomain);
    assertThat(id.spiffeId()).isEqualTo(SpiffeId.parse(uri));
    assertThat(id.toString()).isEqualTo(uri);
    assertThat(ConnectId.parse(id.spiffeId().toString())).isEqualTo(id);
  }

  @Test
  void serviceInDefaultPartitionIsWrittenWithoutAp() {
    ServiceId web = ServiceId.of(TRUST_DOMAIN_A, "dc1", "web");

    assertThat(web.partition()).isEqualTo(ConnectId.DEFAULT_PARTITION).isEqualTo("default");
    assertThat(web.namespace()).isEqualTo(ConnectId.DEFAULT_NAMESPACE).isEqualTo("default");
    assertThat(web.spiffeId().toString())
        .isEqualTo("spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web");
  }

  @Test
  void serviceInOtherPartitionIsWrittenWithAp() {
    String uri = "spiffe://" + TRUST_DOMAIN_A + "/ap/part1/ns/team/dc/dc1/svc/web";

    ServiceId web = ServiceId.parse(uri);

    assertThat(web).isEqualTo(new ServiceId(TRUST_DOMAIN_A, "part1", "team", "dc1", "web"));
    assertThat(web.spiffeId().toString()).isEqualTo(uri);
    assertThat(ConnectId.parse(web.spiffeId().toString())).isEqualTo(web);
    assertThat(web).isNotEqualTo(ServiceId.parse(uri.replace("/ap/part1", "")));
  }

  @Test
  void explicitDefaultPartitionIsReadAsDefaultAndWrittenWithout() {
    String explicit = "spiffe://" + TRUST_DOMAIN_A + "/ap/default/ns/default/dc/dc1/svc/web";

    ConnectId id = ConnectId.parse(explicit);

    assertThat(id).isEqualTo(ServiceId.of(TRUST_DOMAIN_A, "dc1", "web"));
    assertThat(id.spiffeId().toString())
        .isEqualTo("spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web");
    assertThat(ConnectId.parse(id.spiffeId().toString())).isEqualTo(id);
  }

  @Test
  void readsRecordedAgentId() {
    ConnectId id = ConnectId.parse(AGENT_URI);

    assertThat(id).isEqualTo(
        AgentId.of(TRUST_DOMAIN_A, "dc1", "11111111-2222-3333-4444-555555555555"));
    AgentId agent = (AgentId) id;
    assertThat(agent.partition()).isEqualTo("default");
    assertThat(agent.datacenter()).isEqualTo("dc1");
    assertThat(agent.node()).isEqualTo("11111111-2222-3333-4444-555555555555");
    assertThat(agent.toString()).isEqualTo(AGENT_URI);
    assertThat(ConnectId.parse(agent.spiffeId().toString())).isEqualTo(agent);
  }

  @Test
  void agentInOtherPartitionIsWrittenWithAp() {
    AgentId agent = new AgentId(TRUST_DOMAIN_B, "part1", "dc1", "realpeers-dev");

    assertThat(agent.spiffeId().toString()).isEqualTo(
        "spiffe://" + TRUST_DOMAIN_B + "/ap/part1/agent/client/dc/dc1/id/realpeers-dev");
    assertThat(ConnectId.parse(agent.spiffeId().toString())).isEqualTo(agent);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {TRUST_DOMAIN_A, TRUST_DOMAIN_B, TRUST_DOMAIN_C, TRUST_DOMAIN_D,
      TRUST_DOMAIN_E})
  void readsSigningIdsOfRecordedTrustDomains(String trustDomain) {
    ConnectId id = ConnectId.parse("spiffe://" + trustDomain);

    assertThat(id).isEqualTo(SigningId.of(trustDomain));
    SigningId signing = (SigningId) id;
    assertThat(signing.clusterId()).isEqualTo(trustDomain.substring(0, 36)).hasSize(36);
    assertThat(signing.toString()).isEqualTo("spiffe://" + trustDomain);
    assertThat(signing.spiffeId()).isEqualTo(SpiffeId.of(trustDomain));
    assertThat(ConnectId.parse(signing.spiffeId().toString())).isEqualTo(signing);
  }

  @Test
  void signingIdOfRecordedRootCertificate() {
    SpiffeId root = SpiffeId.fromCertificate(Samples.certificate("root-initial-0.crt.pem"));

    SigningId signing = (SigningId) ConnectId.from(root);

    assertThat(signing.clusterId()).isEqualTo("5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0");
    assertThat(signing.canSign(ServiceId.of(TRUST_DOMAIN_A, "dc1", "web"))).isTrue();
    assertThat(signing.canSign(ServiceId.of(TRUST_DOMAIN_A, "dc2", "db"))).isTrue();
    assertThat(signing.canSign(ServiceId.of(TRUST_DOMAIN_D, "dc1", "web"))).isFalse();
  }

  @Test
  void clusterIdIsTextBeforeFirstDot() {
    assertThat(SigningId.of("7f3c.consul").clusterId()).isEqualTo("7f3c");
    assertThat(SigningId.of("a.b.c").clusterId()).isEqualTo("a");
  }

  static Stream<Arguments> rejectedForms() {
    String td = "spiffe://" + TRUST_DOMAIN_A;
    return Stream.of(
        arguments("recorded: unknown path", td + "/foo/bar", UNKNOWN_FORM),
        arguments("trailing segment after service", td + "/ns/default/dc/dc1/svc/web/extra",
            SERVICE_FORM),
        arguments("missing svc", td + "/ns/default/dc/dc1", SERVICE_FORM),
        arguments("svc without value", td + "/ns/default/dc/dc1/svc", SERVICE_FORM),
        arguments("missing dc", td + "/ns/default/svc/web", SERVICE_FORM),
        arguments("ns only", td + "/ns/default", SERVICE_FORM),
        arguments("dc and svc swapped", td + "/ns/default/svc/web/dc/dc1", SERVICE_FORM),
        arguments("dc before ns", td + "/dc/dc1/ns/default/svc/web", UNKNOWN_FORM),
        arguments("svc first", td + "/svc/web", UNKNOWN_FORM),
        arguments("upper-case NS", td + "/NS/default/dc/dc1/svc/web", UNKNOWN_FORM),
        arguments("upper-case SVC", td + "/ns/default/dc/dc1/SVC/web", SERVICE_FORM),
        arguments("ap without the rest", td + "/ap/part1", UNKNOWN_FORM),
        arguments("ap alone", td + "/ap", UNKNOWN_FORM),
        arguments("ap twice", td + "/ap/p/ap/q/ns/default/dc/dc1/svc/web", UNKNOWN_FORM),
        arguments("ap after ns", td + "/ns/default/ap/p/dc/dc1/svc/web", SERVICE_FORM),
        arguments("agent without id", td + "/agent/client/dc/dc1/id", AGENT_FORM),
        arguments("agent with trailing segment", AGENT_URI + "/x", AGENT_FORM),
        arguments("server agent (newer Consul)", td + "/agent/server/dc/dc1", AGENT_FORM),
        arguments("agent of unknown kind", td + "/agent/proxy/dc/dc1/id/n1", AGENT_FORM),
        arguments("mesh gateway (newer Consul)", td + "/gateway/mesh/dc/dc1", UNKNOWN_FORM),
        arguments("signing ID without cluster ID", "spiffe://localhost",
            "a signing ID's trust domain must be <cluster-id>.<domain>"),
        arguments("signing ID starting with a dot", "spiffe://.consul",
            "a signing ID's trust domain must be <cluster-id>.<domain>"),
        arguments("SPIFFE rule: trailing slash", td + "/ns/default/dc/dc1/svc/",
            "path must not end with '/'"),
        arguments("SPIFFE rule: empty service", td + "/ns/default/dc/dc1/svc//x",
            "path segment must not be empty"),
        arguments("SPIFFE rule: percent-encoded slash", td + "/ns/default/dc/dc1/svc/a%2Fb",
            "percent-encoding is not allowed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedForms")
  void rejectsOtherFormsNamingTheExpectedOne(String name, String uri, String rule) {
    assertRejected(() -> ConnectId.parse(uri), uri, rule);
    assertRejected(() -> ConnectId.from(SpiffeId.parse(uri)), uri, rule);
  }

  @Test
  void serviceParseRejectsRecordedAgentAndSigningIds() {
    // Consul: "ClientCertURI not a valid Service identifier" (agent-authorize-agent-uri.json,
    // agent-authorize-signing-uri.json).
    assertRejected(() -> ServiceId.parse(AGENT_URI), AGENT_URI, NOT_A_SERVICE);
    String signing = "spiffe://" + TRUST_DOMAIN_A;
    assertRejected(() -> ServiceId.parse(signing), signing, NOT_A_SERVICE);
  }

  @Test
  void serviceParseRejectsNonSpiffeIdsWithTheSpiffeRule() {
    // Consul: "ClientCertURI not a valid Connect identifier" (agent-authorize-non-spiffe-uri.json).
    assertRejected(() -> ServiceId.parse("https://example.com/web"), "https://example.com/web",
        "scheme must be \"spiffe\", not \"https\"");
  }

  @Test
  void componentsAreValidatedAsSpiffeSegments() {
    assertRejected(() -> ServiceId.of(TRUST_DOMAIN_A, "dc1", ""),
        "spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/", "path segment must not be empty");
    assertRejected(() -> ServiceId.of(TRUST_DOMAIN_A, "dc1", "we b"),
        "spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/we b",
        "path segment \"we b\" has a character outside [a-zA-Z0-9.-_]: U+0020");
    assertRejected(() -> ServiceId.of(TRUST_DOMAIN_A, "dc/2", "web"),
        "spiffe://" + TRUST_DOMAIN_A + "/ns/default/dc/dc/2/svc/web",
        "path segment must not contain '/'");
    assertRejected(() -> ServiceId.of(TRUST_DOMAIN_A.toUpperCase(), "dc1", "web"),
        "spiffe://" + TRUST_DOMAIN_A.toUpperCase() + "/ns/default/dc/dc1/svc/web",
        "trust domain must be lower-case");
    assertRejected(() -> new ServiceId(TRUST_DOMAIN_A, "..", "default", "dc1", "web"),
        "spiffe://" + TRUST_DOMAIN_A + "/ap/../ns/default/dc/dc1/svc/web",
        "path segment must not be '..'");
    assertRejected(() -> AgentId.of(TRUST_DOMAIN_A, "dc1", "node 1"),
        "spiffe://" + TRUST_DOMAIN_A + "/agent/client/dc/dc1/id/node 1",
        "path segment \"node 1\" has a character outside [a-zA-Z0-9.-_]: U+0020");
    assertRejected(() -> SigningId.of("Consul.io"), "spiffe://Consul.io",
        "trust domain must be lower-case");
    assertRejected(() -> SigningId.of("consul"), "spiffe://consul",
        "a signing ID's trust domain must be <cluster-id>.<domain>");
  }

  @Test
  void componentsMustNotBeNull() {
    assertThatNullPointerException()
        .isThrownBy(() -> new ServiceId(TRUST_DOMAIN_A, "default", "default", "dc1", null))
        .withMessage("service");
    assertThatNullPointerException().isThrownBy(() -> AgentId.of(TRUST_DOMAIN_A, null, "n"))
        .withMessage("datacenter");
    assertThatNullPointerException().isThrownBy(() -> SigningId.of(null))
        .withMessage("trustDomain");
    assertThatNullPointerException().isThrownBy(() -> ConnectId.from(null)).withMessage("id");
    assertThatNullPointerException()
        .isThrownBy(() -> SigningId.of(TRUST_DOMAIN_A).canSign(null)).withMessage("service");
  }

  @Test
  void formsAreDistinct() {
    ServiceId service = ServiceId.of(TRUST_DOMAIN_A, "dc1", "web");
    AgentId agent = AgentId.of(TRUST_DOMAIN_A, "dc1", "web");
    SigningId signing = SigningId.of(TRUST_DOMAIN_A);

    assertThat(service.trustDomain()).isEqualTo(agent.trustDomain())
        .isEqualTo(signing.trustDomain());
    assertThat(service.spiffeId()).isNotEqualTo(agent.spiffeId())
        .isNotEqualTo(signing.spiffeId());
    assertThat((Object) service).isNotEqualTo(agent);
  }

  private static void assertRejected(ThrowingCallable call, String input, String rule) {
    InvalidSpiffeIdException e = catchThrowableOfType(InvalidSpiffeIdException.class, call);
    assertThat(e).as("%s must be rejected", input).isNotNull();
    assertThat(e.rule()).isEqualTo(rule);
    assertThat(e.input()).isEqualTo(input);
  }
}
