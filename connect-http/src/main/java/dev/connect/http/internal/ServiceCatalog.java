package dev.connect.http.internal;

import dev.connect.consul.AgentServiceWire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The services registered with this agent, as a Consul agent keeps its local services and the
 * catalog of its one node: by service ID, each with the index at which it was created and last
 * changed, under one catalog index that every registration and deregistration raises. A blocking
 * read waits on {@link #changedAfter}; nothing waits on a thread.
 *
 * <p>In memory only: registrations last as long as the agent process (docs/http.md says so).
 * Thread-safe: every method holds the monitor briefly; futures are completed outside it.
 */
final class ServiceCatalog {
  /** Consul's local services per agent are unbounded; ours are bounded, named in the 400. */
  static final int MAX_SERVICES = 4096;
  /** Names whose last change is remembered beyond the live ones, before the oldest are pruned. */
  static final int MAX_REMEMBERED_NAMES = 4 * MAX_SERVICES;

  /** One registered service: what {@code /v1/agent/services} shows, and its indexes. */
  record Entry(AgentServiceWire service, long createIndex, long modifyIndex) {}

  private final Map<String, Entry> byId = new TreeMap<>();
  // Consul's indexes start above 0; 0 would make every blocking read return at once.
  private long index = 1;
  private final Set<CompletableFuture<Void>> watchers = new HashSet<>();
  // The last index at which a service name was touched, as Consul's per-service index: a read
  // of one service is not woken by another's registration.
  private final Map<String, Long> touched = new HashMap<>();
  // The index of names no longer remembered: at least the last touch of every forgotten name,
  // so that a name's index never goes back when the map is pruned.
  private long forgottenAt = 1;

  /** The catalog index: raised by every registration and deregistration. */
  synchronized long index() {
    return index;
  }

  /**
   * Registers (or replaces, by ID) services in one step, as Consul registers a service and its
   * sidecar together; a replaced service keeps its create index.
   *
   * @throws ApiException 400 when the agent would hold more than {@link #MAX_SERVICES}
   */
  void put(List<AgentServiceWire> services) {
    List<CompletableFuture<Void>> wake;
    synchronized (this) {
      long added = services.stream().filter(s -> !byId.containsKey(s.id())).count();
      if (byId.size() + added > MAX_SERVICES) {
        throw new ApiException(400, "this agent holds at most " + MAX_SERVICES
            + " services; deregister some before registering " + services.get(0).id());
      }
      index++;
      for (AgentServiceWire s : services) {
        Entry old = byId.get(s.id());
        if (old != null) {
          touch(old.service());
        }
        touch(s);
        byId.put(s.id(), new Entry(s, old == null ? index : old.createIndex(), index));
      }
      prune();
      wake = takeWatchers();
    }
    wake.forEach(f -> f.complete(null));
  }

  /** Removes services by ID; returns whether the first was there. */
  boolean remove(List<String> ids) {
    List<CompletableFuture<Void>> wake;
    boolean found;
    synchronized (this) {
      found = byId.containsKey(ids.get(0));
      List<Entry> removed = new ArrayList<>();
      for (String id : ids) {
        Entry e = byId.remove(id);
        if (e != null) {
          removed.add(e);
        }
      }
      if (removed.isEmpty()) {
        return false;
      }
      index++;
      removed.forEach(e -> touch(e.service()));
      prune();
      wake = takeWatchers();
    }
    wake.forEach(f -> f.complete(null));
    return found;
  }

  /**
   * The index of the last change to a service name: a registration or deregistration of an
   * instance with that name or proxying for it; the catalog's first index if there was none.
   */
  synchronized long serviceIndex(String name) {
    return touched.getOrDefault(name, forgottenAt);
  }

  /** The number of names whose last change is remembered; for tests. */
  synchronized int rememberedNames() {
    return touched.size();
  }

  /** Forgets names no live service has once there are too many, raising the floor over them. */
  private void prune() {
    if (touched.size() <= MAX_REMEMBERED_NAMES) {
      return;
    }
    Set<String> live = new HashSet<>();
    for (Entry e : byId.values()) {
      live.add(e.service().service());
      if (e.service().proxy() != null && e.service().proxy().destinationServiceName() != null) {
        live.add(e.service().proxy().destinationServiceName());
      }
    }
    touched.keySet().retainAll(live);
    forgottenAt = index;
  }

  private void touch(AgentServiceWire s) {
    touched.put(s.service(), index);
    if (s.proxy() != null && s.proxy().destinationServiceName() != null) {
      touched.put(s.proxy().destinationServiceName(), index);
    }
  }

  /** The service with this ID. */
  synchronized Optional<Entry> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every service, by ID. */
  synchronized List<Entry> all() {
    return new ArrayList<>(byId.values());
  }

  /**
   * Completes at the first change after {@code index}: at once when the catalog is already past
   * it, else at the next registration or deregistration. The caller completes it itself when its
   * wait elapses, which forgets it; so a watch holds nothing once its query is answered.
   */
  CompletableFuture<Void> watch(long index) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      if (this.index > index) {
        f.complete(null);
        return f;
      }
      watchers.add(f);
    }
    f.whenComplete((v, e) -> forget(f));
    return f;
  }

  /** The number of reads watching now; for tests. */
  synchronized int watching() {
    return watchers.size();
  }

  private synchronized void forget(CompletableFuture<Void> f) {
    watchers.remove(f);
  }

  private List<CompletableFuture<Void>> takeWatchers() {
    List<CompletableFuture<Void>> all = new ArrayList<>(watchers);
    watchers.clear();
    return all;
  }
}
