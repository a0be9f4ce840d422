package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random intention sets with every wildcard shape, checked against a brute-force
 * reference: scan every intention, keep those whose source and destination match, take the one
 * of highest precedence.
 *
 * <p>Every failure names the seed and the round; rerun one with {@code
 * -Dconnect.fuzz.seed=<seed>}. The timeout guards against hangs only.
 */
class IntentionsPropertyTest {
  private static final long SEED = Long.getLong("connect.fuzz.seed", 0x1D7E_2026L);
  private static final int ROUNDS = 400;
  private static final int QUERIES_PER_ROUND = 200;
  private static final String[] NAMESPACES = {"default", "ns", "team-a"};
  private static final String[] NAMES = {"web", "db", "api", "cache", "payments", "Web"};
  private static final DefaultIntentionPolicy[] POLICIES = DefaultIntentionPolicy.values();
  /** Every namespace and name as a client in dc1 and as a server in dc2. */
  private static final ServiceId[] SOURCES = services("dc1");
  private static final ServiceId[] DESTINATIONS = services("dc2");

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void checkAgreesWithBruteForce() {
    Random random = new Random(SEED);
    int matched = 0;
    int defaulted = 0;
    for (int round = 0; round < ROUNDS; round++) {
      List<Intention> list = randomIntentions(random);
      Intentions intentions = Intentions.of(list);
      for (int q = 0; q < QUERIES_PER_ROUND; q++) {
        int s = random.nextInt(NAMESPACES.length * NAMES.length);
        int t = random.nextInt(NAMESPACES.length * NAMES.length);
        String sns = SOURCES[s].namespace();
        String sname = SOURCES[s].service();
        String dns = DESTINATIONS[t].namespace();
        String dname = DESTINATIONS[t].service();
        DefaultIntentionPolicy policy = pick(random, POLICIES);

        Decision d = intentions.check(sns + "/" + sname, dns + "/" + dname, policy);

        Optional<Intention> winner = bruteForce(list, sns, sname, dns, dname);
        Decision expected = winner.map(i -> new Decision(i.action() == IntentionAction.ALLOW,
            "Matched L4 intention: " + i, winner)).orElse(policy.decision());
        Decision authorized = intentions.authorize(DESTINATIONS[t], SOURCES[s], policy);
        // AssertJ only on a mismatch: describing every one of the 80,000 checks is slow.
        if (!d.equals(expected) || !authorized.equals(expected)) {
          String as = "seed=" + SEED + " round=" + round + " " + sns + "/" + sname + " => "
              + dns + "/" + dname + " in " + list;
          assertThat(d).as(as).isEqualTo(expected);
          assertThat(authorized).as(as).isEqualTo(expected);
        }
        if (winner.isPresent()) {
          matched++;
        } else {
          defaulted++;
        }
      }
    }
    // Guards the generator: both outcomes must be common for the comparison to mean anything.
    assertThat(matched).as("matched").isGreaterThan(ROUNDS * QUERIES_PER_ROUND / 10);
    assertThat(defaulted).as("defaulted").isGreaterThan(ROUNDS * QUERIES_PER_ROUND / 10);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void matchAgreesWithBruteForce() {
    Random random = new Random(SEED + 1);
    for (int round = 0; round < ROUNDS; round++) {
      List<Intention> list = randomIntentions(random);
      Intentions intentions = Intentions.of(list);
      List<Intention> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingInt(Intention::precedence).reversed()
          .thenComparing(i -> i.source().namespace())
          .thenComparing(i -> i.source().name())
          .thenComparing(i -> i.destination().namespace())
          .thenComparing(i -> i.destination().name()));
      if (!intentions.all().equals(sorted)) {
        assertThat(intentions.all()).as("seed=%d round=%d", SEED, round)
            .containsExactlyElementsOf(sorted);
      }
      for (int q = 0; q < 20; q++) {
        IntentionTarget t = randomTarget(random);
        List<Intention> byDestination = sorted.stream()
            .filter(i -> coveredByMatch(i.destination(), t)).toList();
        List<Intention> bySource = sorted.stream()
            .filter(i -> coveredByMatch(i.source(), t)).toList();
        List<Intention> actualByDestination = intentions.matchByDestination(t.toString());
        List<Intention> actualBySource = intentions.matchBySource(t.toString());
        if (!actualByDestination.equals(byDestination) || !actualBySource.equals(bySource)) {
          String as = "seed=" + SEED + " round=" + round + " name=" + t + " in " + list;
          assertThat(actualByDestination).as(as).containsExactlyElementsOf(byDestination);
          assertThat(actualBySource).as(as).containsExactlyElementsOf(bySource);
        }
      }
    }
  }

  /** The most precedent intention matching the pair, by scanning them all. */
  private static Optional<Intention> bruteForce(List<Intention> all, String sns, String sname,
      String dns, String dname) {
    Intention best = null;
    for (Intention i : all) {
      if (i.source().matches(sns, sname) && i.destination().matches(dns, dname)
          && (best == null || i.precedence() > best.precedence())) {
        best = i;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Consul's match query for a possibly wildcard name: the intention's side is {@code *} in
   * both parts, or {@code ns/*} with the query's namespace exact, or equal to an exact query.
   */
  private static boolean coveredByMatch(IntentionTarget side, IntentionTarget query) {
    if (side.namespace().equals("*")) {
      return true;
    }
    if (query.namespace().equals("*") || !side.namespace().equals(query.namespace())) {
      return false;
    }
    return side.name().equals("*") || side.equals(query);
  }

  private static List<Intention> randomIntentions(Random random) {
    int n = random.nextInt(random.nextBoolean() ? 8 : 40);
    Set<List<IntentionTarget>> pairs = new HashSet<>();
    List<Intention> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      IntentionTarget source = randomTarget(random);
      IntentionTarget destination = randomTarget(random);
      if (pairs.add(List.of(source, destination))) {
        list.add(Intention.builder(source, destination,
            random.nextBoolean() ? IntentionAction.ALLOW : IntentionAction.DENY).build());
      }
    }
    Collections.shuffle(list, random);
    return list;
  }

  private static IntentionTarget randomTarget(Random random) {
    int shape = random.nextInt(10);
    if (shape == 0) {
      return IntentionTarget.of("*", "*");
    }
    String ns = pick(random, NAMESPACES);
    return IntentionTarget.of(ns, shape <= 3 ? "*" : pick(random, NAMES));
  }

  private static ServiceId[] services(String datacenter) {
    List<ServiceId> services = new ArrayList<>();
    for (String ns : NAMESPACES) {
      for (String name : NAMES) {
        services.add(new ServiceId("7f3c.consul", "default", ns, datacenter, name));
      }
    }
    return services.toArray(new ServiceId[0]);
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
