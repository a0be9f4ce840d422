package dev.connect.core;

import static dev.connect.core.DefaultIntentionPolicy.ACLS_DEFAULT_DENY;
import static dev.connect.core.DefaultIntentionPolicy.ACLS_DISABLED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.connect.core.IntentionSamples.Recorded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays the recorded Consul 1.10.4 intention exchanges in {@code shared/consul-samples}:
 * precedence, list and match order, {@code /check} and {@code /v1/agent/connect/authorize}.
 *
 * <p>Each decision is replayed against the intentions Consul listed at that moment of its run
 * (README of the samples: run A without ACLs, run B with {@code default_policy = "deny"}, runs D
 * and E without ACLs), with the policy of that run.
 */
class IntentionsConsulSamplesTest {
  /** Run A before the {@code * => *} deny was deleted: web=>db, *=>db, api=>*, web=>*, *=>*. */
  private static final String RUN_A_FIRST = "intentions-list.json";
  /** Run A at the end: payments, shop (L7, left out), legacydst; no {@code * => *}. */
  private static final String RUN_A_FINAL = "intentions-list-final.json";
  private static final String RUN_B = "acl-intentions-list-master.json";
  private static final String RUN_D = "nondev-intentions-list.json";
  private static final String RUN_E_DENY = "runE-intentions-list-blocking.json";

  /** Samples of L7 intentions, which are out of scope until intentions carry permissions. */
  private static final Set<String> L7 =
      Set.of("agent-authorize-l7-intention.json", "intentions-check-l7.json");
  /** Samples about HTTP or ACL checks that come before any decision. */
  private static final Set<String> NOT_DECISIONS = Set.of(
      "agent-authorize-empty-body.json", "agent-authorize-get.json",
      "agent-authorize-missing-target.json", "intentions-check-missing-source.json",
      "acl-authorize-no-intentions-read-no-match.json", "acl-authorize-no-intentions-read.json",
      "acl-authorize-no-token.json", "acl-authorize-target-db-web-token.json");
  /** Where we deliberately differ from Consul 1.10, tested in {@link #foreignTrustDomain()}. */
  private static final Set<String> DEVIATIONS = Set.of("agent-authorize-foreign-trust-domain.json");

  @Test
  void observedPrecedence() {
    String text = Samples.text("intentions-precedence-observed.json");
    var m = java.util.regex.Pattern.compile("\"SourceName\":\\s*\"([^\"]+)\",\\s*"
        + "\"DestinationName\":\\s*\"([^\"]+)\",\\s*\"Precedence\":\\s*(\\d+)").matcher(text);
    int seen = 0;
    while (m.find()) {
      Intention i = Intention.of(m.group(1), m.group(2), IntentionAction.ALLOW);
      assertThat(i.precedence()).as(i.source() + " => " + i.destination())
          .isEqualTo(Integer.parseInt(m.group(3)));
      seen++;
    }
    assertThat(seen).isEqualTo(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {RUN_A_FIRST, RUN_A_FINAL, RUN_B, RUN_D, RUN_E_DENY,
      "intentions-list-after-delete.json", "intentions-list-filter.json",
      "acl-intentions-list-web-token-after.json", "intention-get-by-id.json",
      "intention-get-exact-web-db.json", "intention-get-exact-api-payments.json",
      "intention-get-exact-cache-payments.json"})
  void precedenceOfEveryRecordedIntention(String file) {
    List<Recorded> recorded = IntentionSamples.intentions(file);
    assertThat(recorded).isNotEmpty();
    for (Recorded r : recorded) {
      if (!r.isL7()) {
        assertThat(r.toIntention().precedence()).as(file + ": " + r).isEqualTo(r.precedence());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {RUN_A_FIRST, RUN_A_FINAL, RUN_B, "intentions-list-after-delete.json"})
  void listIsSortedAsConsulSortsIt(String file) {
    List<Recorded> recorded = IntentionSamples.intentions(file);
    List<String> expected = recorded.stream().filter(r -> !r.isL7())
        .map(Recorded::summary).toList();

    List<String> actual = IntentionSamples.l4Set(file).all().stream()
        .map(IntentionsConsulSamplesTest::summary).toList();

    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void recordedIntentionsKeepTheirIdAndIndexes() {
    Intention web = IntentionSamples.intentions("intention-get-by-id.json").get(0).toIntention();
    assertThat(web.id()).isEqualTo("353609c9-81a8-0081-5b0a-5608979d6d3a");
    assertThat(web.createIndex()).isEqualTo(36);
    assertThat(web.description()).isEqualTo("web may talk to db");
    assertThat(IntentionSamples.l4Set(RUN_A_FINAL).byId("a8cb4352-5d26-3b21-e5a4-8c26f9db9b51"))
        .map(Intention::destination).contains(IntentionTarget.parse("legacydst"));
  }

  static Stream<Arguments> matchSamples() {
    return Stream.of(
        arguments("intentions-match-destination-db.json", RUN_A_FIRST),
        arguments("intentions-match-destination-web.json", RUN_A_FIRST),
        arguments("intentions-match-source-web.json", RUN_A_FIRST),
        arguments("intentions-match-multi.json", RUN_A_FIRST),
        arguments("intentions-match-destination-nomatch.json", RUN_A_FINAL),
        arguments("acl-intentions-match-web-token.json", RUN_B));
  }

  @ParameterizedTest
  @MethodSource("matchSamples")
  void matchReturnsWhatConsulReturnedInItsOrder(String file, String state) {
    Intentions intentions = IntentionSamples.l4Set(state);
    boolean bySource = IntentionSamples.query(file, "by").equals("source");

    for (Map.Entry<String, List<Recorded>> e : IntentionSamples.matches(file).entrySet()) {
      List<Intention> actual = bySource ? intentions.matchBySource(e.getKey())
          : intentions.matchByDestination(e.getKey());
      assertThat(actual.stream().map(IntentionsConsulSamplesTest::summary).toList())
          .as(file + " name=" + e.getKey())
          .containsExactlyElementsOf(e.getValue().stream().map(Recorded::summary).toList());
    }
  }

  static Stream<Arguments> checkSamples() {
    return Stream.of(
        arguments("intentions-check-web-db.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-api-db.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-other-db.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-other-nomatch.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-api-foo.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-web-foo.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-source-type-consul.json", RUN_A_FIRST, ACLS_DISABLED),
        arguments("intentions-check-api-payments.json", RUN_A_FINAL, ACLS_DISABLED),
        arguments("intentions-check-no-intention-acl-disabled.json", RUN_A_FINAL, ACLS_DISABLED),
        arguments("acl-intentions-check-web-token.json", RUN_B, ACLS_DEFAULT_DENY),
        arguments("acl-intentions-check-no-intentions-token.json", RUN_B, ACLS_DEFAULT_DENY),
        arguments("acl-intentions-check-default-deny.json", RUN_B, ACLS_DEFAULT_DENY),
        arguments("nondev-intentions-check.json", RUN_D, ACLS_DISABLED));
  }

  @ParameterizedTest
  @MethodSource("checkSamples")
  void checkAnswersAsConsulDid(String file, String state, DefaultIntentionPolicy policy) {
    Decision d = IntentionSamples.l4Set(state).check(IntentionSamples.query(file, "source"),
        IntentionSamples.query(file, "destination"), policy);

    assertThat(d.allowed()).as(file + ": " + d.reason())
        .isEqualTo(IntentionSamples.responseBoolean(file, "Allowed"));
  }

  static Stream<Arguments> authorizeSamples() {
    Supplier<Stream<String>> runA1 = () -> Stream.of("agent-authorize-allowed.json",
        "agent-authorize-allowed-repeat.json", "agent-authorize-api-db-wildcard-allow.json",
        "agent-authorize-wildcard-source-allow.json", "agent-authorize-wildcard-dest-allow.json",
        "agent-authorize-star-star-deny.json", "agent-authorize-malformed-uri.json",
        "agent-authorize-malformed-uri-percent.json", "agent-authorize-non-spiffe-uri.json",
        "agent-authorize-spiffe-unknown-path.json", "agent-authorize-agent-uri.json",
        "agent-authorize-signing-uri.json", "agent-authorize-other-dc.json",
        "agent-authorize-other-ns.json", "agent-authorize-missing-uri.json",
        "agent-authorize-missing-serial.json", "agent-authorize-target-unregistered.json",
        "agent-authorize-after-delete-api.json");
    return Stream.of(
        runA1.get().map(f -> arguments(f, RUN_A_FIRST, Samples.TRUST_DOMAIN_A, ACLS_DISABLED)),
        Stream.of(
            arguments("agent-authorize-denied-by-intention.json", RUN_A_FINAL,
                Samples.TRUST_DOMAIN_A, ACLS_DISABLED),
            arguments("agent-authorize-no-intention-acl-disabled.json", RUN_A_FINAL,
                Samples.TRUST_DOMAIN_A, ACLS_DISABLED),
            arguments("acl-authorize-allowed-web-token.json", RUN_B, Samples.TRUST_DOMAIN_B,
                ACLS_DEFAULT_DENY),
            arguments("acl-authorize-denied-web-token.json", RUN_B, Samples.TRUST_DOMAIN_B,
                ACLS_DEFAULT_DENY),
            arguments("acl-authorize-default-deny-web-token.json", RUN_B,
                Samples.TRUST_DOMAIN_B, ACLS_DEFAULT_DENY),
            arguments("acl-authorize-master.json", RUN_B, Samples.TRUST_DOMAIN_B,
                ACLS_DEFAULT_DENY),
            arguments("acl-authorize-malformed-uri-no-token.json", RUN_B,
                Samples.TRUST_DOMAIN_B, ACLS_DEFAULT_DENY),
            arguments("nondev-agent-authorize-allowed.json", RUN_D, Samples.TRUST_DOMAIN_D,
                ACLS_DISABLED),
            arguments("nondev-agent-authorize-default.json", RUN_D, Samples.TRUST_DOMAIN_D,
                ACLS_DISABLED),
            arguments("runE-authorize-before-intention.json", "runE-intentions-list-before.json",
                Samples.TRUST_DOMAIN_E, ACLS_DISABLED),
            arguments("runE-authorize-immediately-after-deny.json", RUN_E_DENY,
                Samples.TRUST_DOMAIN_E, ACLS_DISABLED),
            arguments("runE-authorize-500ms-after-deny.json", RUN_E_DENY,
                Samples.TRUST_DOMAIN_E, ACLS_DISABLED)))
        .flatMap(s -> s);
  }

  @ParameterizedTest
  @MethodSource("authorizeSamples")
  void authorizeAnswersAsConsulDid(String file, String state, String trustDomain,
      DefaultIntentionPolicy policy) {
    Intentions intentions = IntentionSamples.l4Set(state);
    ServiceId target = ServiceId.of(trustDomain, "dc1", IntentionSamples.requestField(file,
        "Target"));

    Decision d = intentions.authorize(target, IntentionSamples.requestField(file,
        "ClientCertURI"), IntentionSamples.requestField(file, "ClientCertSerial"), policy);

    if (IntentionSamples.status(file) == 200) {
      assertThat(d.allowed()).as(file).isEqualTo(
          IntentionSamples.responseBoolean(file, "Authorized"));
      assertThat(d.reason()).as(file).isEqualTo(IntentionSamples.responseField(file, "Reason"));
      assertThat(d.intention().isPresent()).as(file)
          .isEqualTo(d.reason().startsWith("Matched"));
    } else {
      // Consul answers 400 "Bad request: <text>"; we deny with <text> first in the reason.
      assertThat(IntentionSamples.status(file)).isEqualTo(400);
      String consul = IntentionSamples.responseText(file).replaceFirst("^Bad request: ", "");
      assertThat(d.allowed()).as(file).isFalse();
      assertThat(d.reason()).as(file).startsWith(consul + ": ");
      assertThat(d.intention()).isEmpty();
    }
  }

  @Test
  void authorizeAfterFlippingBackToAllow() {
    // runE-intention-put-allow.json flipped web => db to allow; no list was recorded after it.
    Intentions intentions = Intentions.of(Intention.of("web", "db", IntentionAction.ALLOW));
    String file = "runE-authorize-immediately-after-allow.json";

    Decision d = intentions.authorize(ServiceId.of(Samples.TRUST_DOMAIN_E, "dc1", "db"),
        IntentionSamples.requestField(file, "ClientCertURI"), "01", ACLS_DISABLED);

    assertThat(d.allowed()).isEqualTo(IntentionSamples.responseBoolean(file, "Authorized"));
    assertThat(d.reason()).isEqualTo(IntentionSamples.responseField(file, "Reason"));
  }

  /**
   * Consul 1.10 authorized a client from another trust domain by the web => db intention; we
   * deny it, with the reason Consul 1.2 gave.
   */
  @Test
  void foreignTrustDomain() {
    String file = "agent-authorize-foreign-trust-domain.json";
    assertThat(IntentionSamples.responseBoolean(file, "Authorized")).isTrue();

    Decision d = IntentionSamples.l4Set(RUN_A_FIRST).authorize(
        ServiceId.of(Samples.TRUST_DOMAIN_A, "dc1", "db"),
        IntentionSamples.requestField(file, "ClientCertURI"), "01", ACLS_DISABLED);

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(
        "Identity from an external trust domain: 11111111-2222-3333-4444-555555555555.consul");
    assertThat(d.intention()).isEmpty();
  }

  /** Guards the tables above: a new authorize or check sample must be replayed or explained. */
  @Test
  void everyAuthorizeAndCheckSampleIsReplayedOrExplained() throws IOException {
    Set<String> covered = new TreeSet<>();
    authorizeSamples().forEach(a -> covered.add((String) a.get()[0]));
    checkSamples().forEach(a -> covered.add((String) a.get()[0]));
    covered.add("runE-authorize-immediately-after-allow.json");
    covered.addAll(L7);
    covered.addAll(NOT_DECISIONS);
    covered.addAll(DEVIATIONS);

    Set<String> samples;
    try (Stream<Path> files = Files.list(Samples.dir())) {
      samples = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .filter(n -> n.contains("authorize") || n.contains("intentions-check"))
          .collect(Collectors.toCollection(TreeSet::new));
    }

    assertThat(covered).containsExactlyInAnyOrderElementsOf(samples);
  }

  private static String summary(Intention i) {
    return i.source() + " => " + i.destination() + " (" + i.precedence() + ")";
  }
}
