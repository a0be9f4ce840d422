package dev.connect.core;

import static dev.connect.core.DefaultIntentionPolicy.ACLS_DEFAULT_ALLOW;
import static dev.connect.core.DefaultIntentionPolicy.ACLS_DEFAULT_DENY;
import static dev.connect.core.DefaultIntentionPolicy.ACLS_DISABLED;
import static dev.connect.core.IntentionAction.ALLOW;
import static dev.connect.core.IntentionAction.DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class IntentionsTest {
  private static final String TD = "7f3c.consul";
  private static final ServiceId DB = ServiceId.of(TD, "dc1", "db");
  private static final String WEB_URI = "spiffe://" + TD + "/ns/default/dc/dc1/svc/web";
  private static final String ID = "353609c9-81a8-0081-5b0a-5608979d6d3a";

  /** Every shape on each side, around web (client) and db (server) in namespace ns. */
  private static final List<Intention> LADDER = List.of(
      Intention.of("ns/web", "ns/db", ALLOW),
      Intention.of("ns/*", "ns/db", DENY),
      Intention.of("*/*", "ns/db", ALLOW),
      Intention.of("ns/web", "ns/*", DENY),
      Intention.of("ns/*", "ns/*", ALLOW),
      Intention.of("*/*", "ns/*", DENY),
      Intention.of("ns/web", "*/*", ALLOW),
      Intention.of("ns/*", "*/*", DENY),
      Intention.of("*/*", "*/*", ALLOW));

  @Test
  void theMostPrecedentMatchingIntentionDecidesAtEveryLevel() {
    List<Intention> remaining = new ArrayList<>(LADDER);
    for (int precedence = 9; precedence >= 1; precedence--) {
      Intentions intentions = Intentions.of(remaining);

      Decision d = intentions.check("ns/web", "ns/db", ACLS_DEFAULT_DENY);

      Intention top = remaining.get(0);
      assertThat(top.precedence()).isEqualTo(precedence);
      assertThat(d.intention()).contains(top);
      assertThat(d.allowed()).isEqualTo(top.action() == ALLOW);
      assertThat(d.reason()).isEqualTo("Matched L4 intention: " + top);
      remaining.remove(0);
    }
    assertThat(Intentions.of(remaining).check("ns/web", "ns/db", ACLS_DEFAULT_DENY))
        .isSameAs(ACLS_DEFAULT_DENY.decision());
  }

  @Test
  void allIsSortedByPrecedenceThenNames() {
    List<Intention> shuffled = new ArrayList<>(LADDER);
    java.util.Collections.reverse(shuffled);
    shuffled.add(Intention.of("ns/api", "ns/db", DENY));
    shuffled.add(Intention.of("ns/web", "ns/cache", DENY));

    List<String> order = Intentions.of(shuffled).all().stream().map(Intention::toString)
        .map(s -> s.substring(0, s.indexOf(" ("))).toList();

    assertThat(order).containsExactly(
        "ns/api => ns/db", "ns/web => ns/cache", "ns/web => ns/db",
        "ns/* => ns/db", "*/* => ns/db", "ns/web => ns/*", "ns/* => ns/*", "*/* => ns/*",
        "ns/web => */*", "ns/* => */*", "*/* => */*");
  }

  @Test
  void tiesAreBrokenInUtf8ByteOrderAsGoDoes() {
    // U+FB01 is EF AC 81 in UTF-8 and sorts before U+1F600 (F0 9F 98 80), though its UTF-16
    // code unit is greater than the surrogate D83D.
    Intention ligature = Intention.of("\uFB01", "db", ALLOW);
    Intention emoji = Intention.of("\uD83D\uDE00", "db", ALLOW);

    assertThat(Intentions.of(emoji, ligature).all()).containsExactly(ligature, emoji);
    assertThat(IntentionIndex.compareUtf8("a", "ab")).isNegative();
    assertThat(IntentionIndex.compareUtf8("b", "ab")).isPositive();
    assertThat(IntentionIndex.compareUtf8("\uE000", "\uD800\uDC00")).isNegative();
  }

  @Test
  void matchByDestinationUnionsTheThreeShapes() {
    Intentions intentions = Intentions.of(LADDER);

    assertThat(intentions.matchByDestination("ns/db")).containsExactlyElementsOf(LADDER);
    assertThat(intentions.matchByDestination("ns/other"))
        .containsExactlyElementsOf(LADDER.subList(3, 9));
    assertThat(intentions.matchByDestination("other/db"))
        .containsExactlyElementsOf(LADDER.subList(6, 9));
    assertThat(intentions.matchByDestination("db")).as("default namespace")
        .containsExactlyElementsOf(LADDER.subList(6, 9));
    assertThat(intentions.matchByDestination("ns/*")).as("wildcards query only their shapes")
        .containsExactlyElementsOf(LADDER.subList(3, 9));
    assertThat(intentions.matchByDestination("*/*"))
        .containsExactlyElementsOf(LADDER.subList(6, 9));
  }

  @Test
  void matchBySourceUnionsTheThreeShapes() {
    Intentions intentions = Intentions.of(LADDER);

    assertThat(intentions.matchBySource("ns/web")).containsExactlyElementsOf(LADDER);
    assertThat(intentions.matchBySource("ns/api")).containsExactly(
        LADDER.get(1), LADDER.get(2), LADDER.get(4), LADDER.get(5), LADDER.get(7),
        LADDER.get(8));
    assertThat(intentions.matchBySource("web")).containsExactly(
        LADDER.get(2), LADDER.get(5), LADDER.get(8));
  }

  @Test
  void matchRejectsPartialWildcards() {
    assertThatThrownBy(() -> Intentions.empty().matchByDestination("d*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wildcard character '*' cannot be used with partial values");
  }

  @Test
  void duplicatePairIsRejectedNamingBoth() {
    assertThatThrownBy(() -> Intentions.of(Intention.of("web", "db", ALLOW),
        Intention.of("default/web", "db", DENY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate intention found:"
            + " default/web => default/db (Precedence: 9, Action: ALLOW)"
            + " and default/web => default/db (Precedence: 9, Action: DENY)");
  }

  @Test
  void duplicateIdIsRejected() {
    Intention a = Intention.builder(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
        ALLOW).id(ID).build();
    Intention b = Intention.builder(IntentionTarget.parse("api"), IntentionTarget.parse("db"),
        ALLOW).id(ID).build();

    assertThatThrownBy(() -> Intentions.of(a, b)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duplicate intention ID " + ID + ": ");
  }

  @Test
  void getFindsTheExactPairAndByIdTheId() {
    Intention withId = Intention.builder(IntentionTarget.parse("web"),
        IntentionTarget.parse("db"), ALLOW).id(ID).build();
    Intentions intentions = Intentions.of(withId, Intention.of("*", "db", DENY));

    assertThat(intentions.get(IntentionTarget.parse("web"), IntentionTarget.parse("db")))
        .contains(withId);
    assertThat(intentions.get(IntentionTarget.parse("*"), IntentionTarget.parse("db")))
        .map(Intention::action).contains(DENY);
    assertThat(intentions.get(IntentionTarget.parse("api"), IntentionTarget.parse("db")))
        .as("wildcards are not expanded").isEmpty();
    assertThat(intentions.byId(ID)).contains(withId);
    assertThat(intentions.byId("")).isEmpty();
    assertThat(intentions.size()).isEqualTo(2);
    assertThat(intentions).hasToString("Intentions[size=2]");
  }

  @Test
  void checkRejectsWildcards() {
    assertThatThrownBy(() -> Intentions.empty().check("*", "db", ACLS_DISABLED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("source must name one service, not a wildcard: \"*\"");
    assertThatThrownBy(() -> Intentions.empty().check("web", "ns/*", ACLS_DISABLED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("destination must name one service, not a wildcard: \"ns/*\"");
  }

  @Test
  void defaultPoliciesGiveConsulsReasons() {
    Intentions none = Intentions.empty();

    Decision disabled = none.authorize(DB, WEB_URI, "01", ACLS_DISABLED);
    Decision allow = none.authorize(DB, WEB_URI, "01", ACLS_DEFAULT_ALLOW);
    Decision deny = none.authorize(DB, WEB_URI, "01", ACLS_DEFAULT_DENY);

    assertThat(disabled.allowed()).isTrue();
    assertThat(disabled.reason()).isEqualTo("ACLs disabled, access is allowed by default");
    assertThat(allow.allowed()).isTrue();
    assertThat(allow.reason()).isEqualTo("Default behavior configured by ACLs");
    assertThat(deny.allowed()).isFalse();
    assertThat(deny.reason()).isEqualTo("Default behavior configured by ACLs");
    assertThat(deny.intention()).isEmpty();
  }

  @Test
  void reasonCarriesTheIdWhenTheIntentionHasOne() {
    Intention withId = Intention.builder(IntentionTarget.parse("web"),
        IntentionTarget.parse("db"), ALLOW).id(ID).build();

    Decision d = Intentions.of(withId).authorize(DB, WEB_URI, "01", ACLS_DEFAULT_DENY);

    assertThat(d.allowed()).isTrue();
    assertThat(d.reason()).isEqualTo("Matched L4 intention: default/web => default/db (ID: "
        + ID + ", Precedence: 9, Action: ALLOW)");
    assertThat(d.intention()).contains(withId);
  }

  @Test
  void aMatchedIntentionsDecisionIsMadeOnceAndReused() {
    Intentions intentions = Intentions.of(Intention.of("web", "db", ALLOW));
    ServiceId web = ServiceId.of(TD, "dc1", "web");

    Decision first = intentions.authorize(DB, web, ACLS_DISABLED);

    assertThat(intentions.authorize(DB, web, ACLS_DISABLED)).isSameAs(first);
    assertThat(intentions.check("web", "db", ACLS_DISABLED)).isSameAs(first);
  }

  @Test
  void allThreeAuthorizeFormsAgree() {
    Intentions intentions = Intentions.of(Intention.of("web", "db", DENY));

    Decision byUri = intentions.authorize(DB, WEB_URI, "", ACLS_DISABLED);
    Decision bySpiffeId = intentions.authorize(DB, SpiffeId.parse(WEB_URI), ACLS_DISABLED);
    Decision byConnectId = intentions.authorize(DB, ConnectId.parse(WEB_URI), ACLS_DISABLED);

    assertThat(byUri.allowed()).isFalse();
    assertThat(bySpiffeId).isEqualTo(byUri);
    assertThat(byConnectId).isEqualTo(byUri);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bogus", "not a uri at all", "%zz", "https://example.com/web",
      "SPIFFE://7f3c.consul/ns/default/dc/dc1/svc/web",
      "spiffe://7f3c.consul/ns/default/dc/dc1/svc/web/",
      "spiffe://7f3c.consul/ns/default/dc/dc1/svc/we%62"})
  void aMalformedUriIsDeniedNeverThrown(String uri) {
    Decision d = allowEverything().authorize(DB, uri, "01", ACLS_DISABLED);

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).startsWith("ClientCertURI not a valid Connect identifier: "
        + "invalid SPIFFE ID \"");
    assertThat(d.intention()).isEmpty();
  }

  @Test
  void aSpiffeIdOutsideTheConnectFormsIsDenied() {
    Decision d = allowEverything().authorize(DB, SpiffeId.parse("spiffe://" + TD + "/foo/bar"),
        ACLS_DISABLED);

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo("ClientCertURI not a valid Connect identifier: invalid"
        + " SPIFFE ID \"spiffe://7f3c.consul/foo/bar\": not in a Connect form: expected"
        + " [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>,"
        + " [/ap/<partition>]/agent/client/dc/<dc>/id/<node> or no path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://7f3c.consul/agent/client/dc/dc1/id/node-1",
      "spiffe://7f3c.consul"})
  void anAgentOrSigningIdentityIsDenied(String uri) {
    Decision d = allowEverything().authorize(DB, uri, "01", ACLS_DISABLED);

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo("ClientCertURI not a valid Service identifier: " + uri);
    assertThat(allowEverything().authorize(DB, ConnectId.parse(uri), ACLS_DISABLED))
        .isEqualTo(d);
  }

  @Test
  void aServiceFromAnotherTrustDomainIsDenied() {
    Decision d = allowEverything().authorize(DB,
        "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web", "01",
        ACLS_DISABLED);

    assertThat(d.allowed()).isFalse();
    assertThat(d.reason()).isEqualTo(
        "Identity from an external trust domain: 11111111-2222-3333-4444-555555555555.consul");
  }

  @Test
  void anotherDatacenterIsNotChecked() {
    Decision d = Intentions.of(Intention.of("web", "db", ALLOW)).authorize(DB,
        "spiffe://" + TD + "/ns/default/dc/dc2/svc/web", "01", ACLS_DEFAULT_DENY);

    assertThat(d.allowed()).isTrue();
  }

  @Test
  void partitions() {
    ServiceId dbInPart = new ServiceId(TD, "part1", "default", "dc1", "db");

    Decision mismatched = allowEverything().authorize(DB,
        "spiffe://" + TD + "/ap/part1/ns/default/dc/dc1/svc/web", "01", ACLS_DISABLED);
    Decision samePartition = allowEverything().authorize(dbInPart,
        "spiffe://" + TD + "/ap/part1/ns/default/dc/dc1/svc/web", "01", ACLS_DEFAULT_DENY);

    assertThat(mismatched.allowed()).isFalse();
    assertThat(mismatched.reason()).isEqualTo("Mismatched partitions: \"part1\" != \"default\"");
    assertThat(samePartition).as("intentions live in the default partition")
        .isSameAs(ACLS_DEFAULT_DENY.decision());
  }

  @Test
  void theIntentionsMatchingOneDestinationDecideForItAsTheWholeSetDoes() {
    Intentions whole = Intentions.of(LADDER.subList(3, 9));
    Intentions forDb = Intentions.of(whole.matchByDestination("ns/db"));

    for (String source : List.of("ns/web", "ns/api", "other/web", "web")) {
      assertThat(forDb.check(source, "ns/db", ACLS_DEFAULT_DENY)).as(source)
          .isEqualTo(whole.check(source, "ns/db", ACLS_DEFAULT_DENY));
    }
  }

  @ParameterizedTest
  @EnumSource(DefaultIntentionPolicy.class)
  void policyDecisionIsConstant(DefaultIntentionPolicy policy) {
    assertThat(policy.decision()).isSameAs(policy.decision());
    assertThat(policy.decision().allowed()).isEqualTo(policy.allowed());
    assertThat(policy.decision().reason()).isEqualTo(policy.reason());
    assertThat(policy.decision().intention()).isEmpty();
  }

  @Test
  void nullsAreRejected() {
    assertThatThrownBy(() -> Intentions.empty().authorize(DB, (String) null, "01", ACLS_DISABLED))
        .isInstanceOf(NullPointerException.class).hasMessage("clientCertUri");
    assertThatThrownBy(() -> Intentions.empty().authorize(DB, WEB_URI, null, ACLS_DISABLED))
        .isInstanceOf(NullPointerException.class).hasMessage("clientCertSerial");
    assertThatThrownBy(() -> Intentions.empty().authorize(DB, WEB_URI, "01", null))
        .isInstanceOf(NullPointerException.class).hasMessage("defaultPolicy");
    assertThatThrownBy(() -> Intentions.of(java.util.Arrays.asList((Intention) null)))
        .isInstanceOf(NullPointerException.class).hasMessage("intention");
    assertThatThrownBy(() -> new Decision(true, "", java.util.Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("reason must not be empty");
  }

  private static Intentions allowEverything() {
    return Intentions.of(Intention.of("*/*", "*/*", ALLOW));
  }
}
