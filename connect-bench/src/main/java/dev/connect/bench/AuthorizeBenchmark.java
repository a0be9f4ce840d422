package dev.connect.bench;

import dev.connect.core.ConnectId;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.Intentions;
import dev.connect.core.ServiceId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The intention decision for one inbound connection, against a {@code ConcurrentHashMap.get}.
 *
 * <p>The store holds {@code storeSize} intentions; up to 1,000 of them have the destination
 * {@code db} (all of them, below 1,000), the rest are spread over 1,000 other destinations. Each
 * operation decides whether a client identity may reach {@code db}, given as the parsed identity
 * a trust manager has in hand. {@link #authorizeWholeStore} decides against the whole store,
 * {@link #authorizeMatched} against the intentions matched for {@code db}, which is what an agent
 * caches. The goals: time independent of {@code storeSize}, and under 10x {@link #floor} with
 * 1,000 intentions on {@code db}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AuthorizeBenchmark {
  private static final String TD = "11111111-2222-3333-4444-555555555555.consul";

  /** How many intentions the store holds. */
  @Param({"10", "1000", "100000"})
  public int storeSize;

  Intentions store;
  Intentions matched;
  ServiceId db;
  ConnectId[] clients;
  ConcurrentHashMap<String, Boolean> map;
  String[] keys;
  int next;

  /** Builds the store, the matched subset and the map. */
  @Setup(Level.Trial)
  public void setUp() {
    List<Intention> all = new ArrayList<>(storeSize);
    int onDb = Math.min(storeSize, 1_000);
    for (int i = 0; i < storeSize; i++) {
      String destination = i < onDb ? "db" : "dst-" + (i % 1_000);
      all.add(Intention.of("src-" + i, destination,
          i % 3 == 0 ? IntentionAction.DENY : IntentionAction.ALLOW));
    }
    all.add(Intention.of("*", "*", IntentionAction.DENY));
    store = Intentions.of(all);
    db = ServiceId.of(TD, "dc1", "db");
    matched = Intentions.of(store.matchByDestination("db"));
    clients = new ConnectId[64];
    keys = new String[64];
    map = new ConcurrentHashMap<>();
    for (int i = 0; i < clients.length; i++) {
      // Half the clients have their own intention on db, half fall through to */*.
      int source = i % 2 == 0 ? (i * 7919) % onDb : storeSize + i;
      clients[i] = ServiceId.of(TD, "dc1", "src-" + source);
      keys[i] = "src-" + source;
    }
    for (int i = 0; i < onDb; i++) {
      map.put("src-" + i, i % 3 != 0);
    }
  }

  /**
   * Decides against the whole store.
   *
   * @return the decision
   */
  @Benchmark
  public Decision authorizeWholeStore() {
    ConnectId client = clients[next++ & 63];
    return store.authorize(db, client, DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
  }

  /**
   * Decides against the intentions matched for {@code db}.
   *
   * @return the decision
   */
  @Benchmark
  public Decision authorizeMatched() {
    ConnectId client = clients[next++ & 63];
    return matched.authorize(db, client, DefaultIntentionPolicy.ACLS_DEFAULT_DENY);
  }

  /**
   * The floor: one {@code ConcurrentHashMap.get}.
   *
   * @return the value, or null
   */
  @Benchmark
  public Boolean floor() {
    return map.get(keys[next++ & 63]);
  }
}
