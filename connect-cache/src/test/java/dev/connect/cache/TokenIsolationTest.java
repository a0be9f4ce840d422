package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.connect.ca.LeafRequests;
import dev.connect.core.AclNotFoundException;
import dev.connect.core.AclToken;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.Intentions;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Entries are partitioned by token: no read returns a value another token fetched, and a token
 * without permission gets the server's refusal every time, never another token's value.
 */
class TokenIsolationTest {
  private static final String[] SERVICES = {"web", "db", "api", "cache"};
  private static final String[] RULES = {
      null, "policy = \"read\"", "policy = \"write\"", "policy = \"read\"\n intentions = \"deny\"",
      "policy = \"deny\"\n intentions = \"read\"", "policy = \"write\"\n intentions = \"read\""};

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void noReadReturnsAnotherTokensValue(long seed) throws Exception {
    Random random = new Random(seed);
    try (Fixture f = Fixture.open(dir, true, s -> s, new Random(seed))) {
      List<CacheRequest> requests = new ArrayList<>();
      List<String> secrets = new ArrayList<>();
      for (int t = 0; t < 5; t++) {
        StringBuilder rules = new StringBuilder();
        for (String service : SERVICES) {
          String rule = RULES[random.nextInt(RULES.length)];
          if (rule != null) {
            rules.append("service \"").append(service).append("\" {\n ").append(rule)
                .append("\n}\n");
          }
        }
        f.server.createPolicy("p" + t, "", rules.toString(), Fixture.ROOT);
        AclToken token = f.server.createToken("t" + t, List.of("p" + t), Fixture.ROOT);
        secrets.add(token.revealSecretId());
        requests.add(CacheRequest.withToken(token.revealSecretId()));
      }
      requests.add(CacheRequest.anonymous()); // default deny, no policy
      secrets.add(null);
      requests.add(CacheRequest.withToken("00000000-0000-4000-8000-0000000unknown"));
      secrets.add("00000000-0000-4000-8000-0000000unknown");

      // The server is the oracle of what each token may do.
      int n = requests.size();
      Class<?>[][] leafOutcome = new Class<?>[n][SERVICES.length];
      Class<?>[][] matchOutcome = new Class<?>[n][SERVICES.length];
      for (int t = 0; t < n; t++) {
        QueryOptions o = secrets.get(t) == null ? QueryOptions.defaults()
            : QueryOptions.builder().token(secrets.get(t)).build();
        for (int s = 0; s < SERVICES.length; s++) {
          String service = SERVICES[s];
          String csr = LeafRequests.csrPem(ServiceId.of(f.server.trustDomain().trustDomain(),
              "dc1", service), LeafRequests.newKeyPair());
          leafOutcome[t][s] = outcome(() -> f.server.signLeaf(csr, o).get(10, TimeUnit.SECONDS));
          matchOutcome[t][s] = outcome(() ->
              f.server.matchIntentions(service, o).get(10, TimeUnit.SECONDS));
        }
      }
      assertThat(java.util.Arrays.stream(leafOutcome).flatMap(java.util.Arrays::stream))
          .as("the random policies allow some leaves").contains((Class<?>) null);
      assertThat(java.util.Arrays.stream(matchOutcome).flatMap(java.util.Arrays::stream))
          .as("and refuse some matches").contains(PermissionDeniedException.class);

      Map<Object, Integer> owner = new IdentityHashMap<>();
      for (int op = 0; op < 400; op++) {
        int t = random.nextInt(n);
        int s = random.nextInt(SERVICES.length);
        CacheRequest req = requests.get(t);
        String service = SERVICES[s];
        switch (random.nextInt(3)) {
          case 0 -> {
            // Roots need no permission, and the server hands every reader one shared immutable
            // instance, so identity says nothing here; each token still has its own entry.
            assertThat(f.cache.roots(req).roots()).isNotEmpty();
            assertThat(f.cache.rootsStatus(req)).isPresent();
          }
          case 1 -> {
            if (leafOutcome[t][s] == null) {
              Leaf leaf = f.cache.leaf(service, req);
              assertThat(leaf.certificate().service().service()).isEqualTo(service);
              checkOwner(owner, leaf, t);
            } else {
              assertThatThrownBy(() -> f.cache.leaf(service, req))
                  .isInstanceOf(leafOutcome[t][s]);
              assertThat(f.cache.leafStatus(service, req)).isEmpty();
            }
          }
          default -> {
            if (matchOutcome[t][s] == null) {
              Intentions match = f.cache.intentionMatch(service, req);
              if (match.size() > 0) { // the empty set is one shared instance
                checkOwner(owner, match, t);
              }
            } else {
              assertThatThrownBy(() -> f.cache.intentionMatch(service, req))
                  .isInstanceOf(matchOutcome[t][s]);
              assertThat(f.cache.intentionMatchStatus(service, req)).isEmpty();
            }
          }
        }
        int event = random.nextInt(20);
        if (event == 0) {
          f.advance(Duration.ofMinutes(random.nextInt(60 * 30)));
        } else if (event == 1) {
          f.server.upsertIntention(IntentionTarget.parse("src" + op),
              IntentionTarget.parse(SERVICES[random.nextInt(SERVICES.length)]),
              IntentionAction.ALLOW, "", Fixture.ROOT);
          f.scheduler.runDue();
        } else if (event == 2 && op % 7 == 0) {
          f.server.rotateRoot(Fixture.ROOT);
          f.advance(Duration.ofSeconds(30));
        }
      }
    }
  }

  @Test
  void leafWithoutPermissionGetsTheRefusalAndNothingIsCached() throws Exception {
    try (Fixture f = Fixture.open(dir, true, s -> s, new Random(3))) {
      f.server.createPolicy("web", "", "service \"web\" { policy = \"write\" }", Fixture.ROOT);
      AclToken web = f.server.createToken("web", List.of("web"), Fixture.ROOT);
      f.server.createPolicy("db", "", "service \"db\" { policy = \"write\" }", Fixture.ROOT);
      AclToken db = f.server.createToken("db", List.of("db"), Fixture.ROOT);
      CacheRequest webReq = CacheRequest.withToken(web.revealSecretId());
      CacheRequest dbReq = CacheRequest.withToken(db.revealSecretId());

      Leaf leaf = f.cache.leaf("web", webReq);
      assertThat(leaf.certificate().service().service()).isEqualTo("web");
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> f.cache.leaf("web", dbReq))
            .isInstanceOf(PermissionDeniedException.class)
            .hasMessageContaining("lacks permission 'service:write' on \"web\"")
            .hasMessageNotContaining(db.revealSecretId());
      }
      assertThat(f.cache.leafStatus("web", dbReq)).isEmpty();
      CacheStats stats = f.cache.stats();
      assertThat(stats.entries()).containsEntry(CacheType.LEAF, 1L);
      assertThat(stats.loadFailures()).isEqualTo(2);
      assertThat(webReq.toString()).doesNotContain(web.revealSecretId());
    }
  }

  private static void checkOwner(Map<Object, Integer> owner, Object value, int token) {
    Integer previous = owner.putIfAbsent(value, token);
    if (previous != null && previous != token) {
      fail("token " + token + " read a value token " + previous + " fetched: " + value);
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Class<?> outcome(Call call) throws Exception {
    try {
      call.run();
      return null;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PermissionDeniedException
          || e.getCause() instanceof AclNotFoundException) {
        return e.getCause().getClass();
      }
      throw e;
    }
  }
}
