package dev.connect.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The engine behind {@link Intentions}: intentions keyed by destination, then by source, each
 * side by its three shapes ({@code ns/name}, {@code ns/*}, every service).
 *
 * <p>For one concrete source and destination, each of the nine precedence levels can match at
 * most one intention, found by key rather than by scanning: a decision tries the levels from
 * precedence 9 down with at most a dozen {@code HashMap} lookups, whatever the number of
 * intentions, in the store or on the destination. Immutable once built, and so safe to share
 * between threads.
 */
final class IntentionIndex {
  /**
   * Consul's {@code IntentionPrecedenceSorter} for intentions of equal precedence: source
   * namespace, source name, destination namespace and destination name, in byte order.
   * (Partitions, which Consul 1.11 compares first, are always {@code default} here.)
   */
  private static final Comparator<Intention> NAME_ORDER = (a, b) -> {
    int c = compareUtf8(a.source().namespace(), b.source().namespace());
    if (c == 0) {
      c = compareUtf8(a.source().name(), b.source().name());
    }
    if (c == 0) {
      c = compareUtf8(a.destination().namespace(), b.destination().namespace());
    }
    if (c == 0) {
      c = compareUtf8(a.destination().name(), b.destination().name());
    }
    return c;
  };

  private static final String L4_PREFIX = "Matched L4 intention: ";

  private final Shapes<Destination> byDestination = new Shapes<>();
  private final Shapes<List<Intention>> bySource = new Shapes<>();
  private final HashMap<String, Intention> byId = new HashMap<>();
  private final List<Intention> all;

  IntentionIndex(Collection<Intention> intentions) {
    for (Intention intention : intentions) {
      add(intention);
    }
    all = sorted(intentions);
  }

  List<Intention> all() {
    return all;
  }

  Intention get(IntentionTarget source, IntentionTarget destination) {
    Destination d = byDestination.get(destination);
    if (d == null) {
      return null;
    }
    Entry e = d.sources.get(source);
    return e == null ? null : e.intention;
  }

  Intention byId(String id) {
    return byId.get(id);
  }

  /** Returns Consul's {@code /match?by=destination} answer for a target. */
  List<Intention> matchByDestination(IntentionTarget target) {
    List<Intention> result = new ArrayList<>();
    for (Destination d : byDestination.covering(target)) {
      result.addAll(d.intentions);
    }
    return sorted(result);
  }

  /** Returns Consul's {@code /match?by=source} answer for a target. */
  List<Intention> matchBySource(IntentionTarget target) {
    List<Intention> result = new ArrayList<>();
    for (List<Intention> list : bySource.covering(target)) {
      result.addAll(list);
    }
    return sorted(result);
  }

  /**
   * Returns the decision of the most precedent intention from {@code sns/sname} to {@code
   * dns/dname} (concrete names, taken literally), or {@code null} when none matches. Allocates
   * nothing once an intention's decision has been made.
   */
  Decision decide(String sns, String sname, String dns, String dname) {
    Entry e = null;
    HashMap<String, Destination> names = byDestination.exact(dns);
    if (names != null) {
      Destination d = names.get(dname);
      if (d != null) {
        e = d.sources.find(sns, sname);
      }
    }
    if (e == null) {
      Destination d = byDestination.namespace(dns);
      if (d != null) {
        e = d.sources.find(sns, sname);
      }
    }
    if (e == null && byDestination.all != null) {
      e = byDestination.all.sources.find(sns, sname);
    }
    return e == null ? null : e.decision();
  }

  private void add(Intention intention) {
    IntentionTarget source = intention.source();
    Destination d = byDestination.computeIfAbsent(intention.destination(), Destination::new);
    Entry existing = d.sources.get(source);
    if (existing != null) {
      throw new IllegalArgumentException(
          "duplicate intention found: " + existing.intention + " and " + intention);
    }
    if (!intention.id().isEmpty()) {
      Intention sameId = byId.putIfAbsent(intention.id(), intention);
      if (sameId != null) {
        throw new IllegalArgumentException("duplicate intention ID " + intention.id() + ": "
            + sameId + " and " + intention);
      }
    }
    d.sources.computeIfAbsent(source, () -> new Entry(intention));
    d.intentions.add(intention);
    bySource.computeIfAbsent(source, () -> new ArrayList<>(1)).add(intention);
  }

  /**
   * Returns the intentions sorted as Consul's {@code IntentionPrecedenceSorter} does: by
   * precedence, highest first, then by {@link #NAME_ORDER}. Bucketed by precedence first, so
   * that sorting compares names only.
   */
  static List<Intention> sorted(Collection<Intention> intentions) {
    List<List<Intention>> buckets = new ArrayList<>(10);
    for (int p = 0; p <= 9; p++) {
      buckets.add(new ArrayList<>());
    }
    for (Intention intention : intentions) {
      buckets.get(intention.precedence()).add(intention);
    }
    Intention[] result = new Intention[intentions.size()];
    int at = 0;
    for (int p = 9; p >= 1; p--) {
      List<Intention> bucket = buckets.get(p);
      bucket.sort(NAME_ORDER);
      for (Intention intention : bucket) {
        result[at++] = intention;
      }
    }
    return List.of(result);
  }

  /**
   * Orders strings as Go compares them, by UTF-8 bytes, which is code point order. It differs
   * from {@link String#compareTo} only between a surrogate and a char from U+E000 to U+FFFF.
   */
  static int compareUtf8(String a, String b) {
    if (a == b) {
      return 0;
    }
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return Integer.compare(codePointRank(x), codePointRank(y));
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int codePointRank(char c) {
    if (Character.isSurrogate(c)) {
      return c + 0x2000;
    }
    return c >= 0xE000 ? c - 0x800 : c;
  }

  /** One intention and its decision, made on first use and kept. */
  private static final class Entry {
    final Intention intention;
    private Decision decision;

    Entry(Intention intention) {
      this.intention = intention;
    }

    Decision decision() {
      // Racy single-check: Decision is immutable (all fields final), so a thread that sees a
      // reference sees a whole object; at worst two threads each make an equal one.
      Decision d = decision;
      if (d == null) {
        d = new Decision(intention.action() == IntentionAction.ALLOW,
            L4_PREFIX + intention, Optional.of(intention));
        decision = d;
      }
      return d;
    }
  }

  /** The intentions to one destination target, keyed by source. */
  private static final class Destination {
    final Shapes<Entry> sources = new Shapes<>();
    final List<Intention> intentions = new ArrayList<>();
  }

  /** Values keyed by an {@link IntentionTarget}, one map per shape. */
  private static final class Shapes<V> {
    private HashMap<String, HashMap<String, V>> exact;
    private HashMap<String, V> namespace;
    V all;

    HashMap<String, V> exact(String ns) {
      return exact == null ? null : exact.get(ns);
    }

    V namespace(String ns) {
      return namespace == null ? null : namespace.get(ns);
    }

    V get(IntentionTarget t) {
      switch (t.exactness()) {
        case 2: {
          HashMap<String, V> names = exact(t.namespace());
          return names == null ? null : names.get(t.name());
        }
        case 1:
          return namespace(t.namespace());
        default:
          return all;
      }
    }

    V computeIfAbsent(IntentionTarget t, Supplier<V> make) {
      switch (t.exactness()) {
        case 2:
          if (exact == null) {
            exact = new HashMap<>();
          }
          return exact.computeIfAbsent(t.namespace(), k -> new HashMap<>())
              .computeIfAbsent(t.name(), k -> make.get());
        case 1:
          if (namespace == null) {
            namespace = new HashMap<>();
          }
          return namespace.computeIfAbsent(t.namespace(), k -> make.get());
        default:
          if (all == null) {
            all = make.get();
          }
          return all;
      }
    }

    /** Returns the value of the most precedent shape covering the concrete {@code ns/name}. */
    V find(String ns, String name) {
      HashMap<String, V> names = exact(ns);
      if (names != null) {
        V v = names.get(name);
        if (v != null) {
          return v;
        }
      }
      V v = namespace(ns);
      return v != null ? v : all;
    }

    /**
     * Returns the values stored under the shapes Consul's match queries for a target:
     * <code>*&#47;*</code> always, {@code ns/*} unless the namespace is a wildcard, and {@code
     * ns/name} unless the name is one (state/intention.go {@code intentionMatchGetParams}).
     */
    List<V> covering(IntentionTarget t) {
      List<V> result = new ArrayList<>(3);
      if (all != null) {
        result.add(all);
      }
      if (t.exactness() >= 1) {
        V v = namespace(t.namespace());
        if (v != null) {
          result.add(v);
        }
      }
      if (t.exactness() == 2) {
        V v = get(t);
        if (v != null) {
          result.add(v);
        }
      }
      return result;
    }
  }
}
