package dev.connect.http.internal;

import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.EntryStatus;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The blocking leaf and agent roots reads waiting now, woken by the cache's leaf events (a
 * renewal, a re-issue after a rotation) and roots events (a rotation), or by their wait elapsing
 * on the agent's scheduler; one cache listener for all of them, and no thread held while they
 * wait.
 */
final class LeafWatch implements CacheListener, AutoCloseable {
  private final ConnectCache cache;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Set<Watch>> byService = new ConcurrentHashMap<>();
  private final Set<Watch> roots = ConcurrentHashMap.newKeySet();
  private final CacheListener.Registration registration;
  private volatile boolean closed;

  /** One waiting read: whose leaf, the index it waits past, and what completes it. */
  private record Watch(CacheRequest request, long index, CompletableFuture<Void> done) {}

  LeafWatch(ConnectCache cache, ScheduledExecutorService scheduler) {
    this.cache = cache;
    this.scheduler = scheduler;
    this.registration = cache.addListener(this);
  }

  /**
   * Completes when the cached leaf of {@code service} for {@code request}'s partition gets a
   * {@code ModifyIndex} above {@code index}, when {@code wait} elapses, or when this watch is
   * closed, whichever comes first. The caller then reads the current leaf; a leaf already past
   * {@code index} is the caller's to check, after this call, so that no change is missed.
   */
  CompletableFuture<Void> after(String service, CacheRequest request, long index, Duration wait) {
    Watch w = new Watch(request, index, new CompletableFuture<>());
    byService.compute(service, (s, set) -> {
      Set<Watch> watches = set != null ? set : ConcurrentHashMap.newKeySet();
      watches.add(w);
      return watches;
    });
    return timed(w, wait, () -> remove(service, w));
  }

  /**
   * Completes when the cached roots of {@code request}'s datacenter get an index above {@code
   * index}, when {@code wait} elapses, or when this watch is closed, whichever comes first; as
   * with {@link #after}, roots already past {@code index} are the caller's to check afterwards.
   */
  CompletableFuture<Void> rootsAfter(CacheRequest request, long index, Duration wait) {
    Watch w = new Watch(request, index, new CompletableFuture<>());
    roots.add(w);
    return timed(w, wait, () -> roots.remove(w));
  }

  private CompletableFuture<Void> timed(Watch w, Duration wait, Runnable remove) {
    ScheduledFuture<?> timer;
    try {
      timer = scheduler.schedule(() -> w.done().complete(null), wait.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      // A scheduler shut down (the agent closed) cannot time the wait: answer now.
      remove.run();
      w.done().complete(null);
      return w.done();
    }
    w.done().whenComplete((v, e) -> {
      timer.cancel(false);
      remove.run();
    });
    if (closed) {
      w.done().complete(null);
    }
    return w.done();
  }

  @Override
  public void rootsChanged(CacheRequest request, CaRoots changed) {
    for (Watch w : roots) {
      if (cache.sameDatacenter(w.request(), request)
          && cache.rootsStatus(w.request()).map(EntryStatus::index).orElse(0L) > w.index()) {
        w.done().complete(null);
      }
    }
  }

  /** The number of reads waiting now. */
  int size() {
    return byService.values().stream().mapToInt(Set::size).sum() + roots.size();
  }

  @Override
  public void leafChanged(String service, CacheRequest request, Leaf leaf) {
    Set<Watch> watches = byService.get(service);
    if (watches == null) {
      return;
    }
    long index = leaf.certificate().modifyIndex();
    for (Watch w : watches) {
      if (index > w.index() && cache.samePartition(w.request(), request)) {
        w.done().complete(null);
      }
    }
  }

  /** Stops listening and wakes every waiting read, which then answers with the current leaf. */
  @Override
  public void close() {
    closed = true;
    registration.close();
    for (Watch w : roots) {
      w.done().complete(null);
    }
    for (Set<Watch> watches : byService.values()) {
      for (Watch w : watches) {
        w.done().complete(null);
      }
    }
  }

  @Override
  public String toString() {
    return "blocking leaf and roots reads of the HTTP API (" + size() + " waiting)";
  }

  private void remove(String service, Watch w) {
    byService.computeIfPresent(service, (s, set) -> {
      set.remove(w);
      return set.isEmpty() ? null : set;
    });
  }
}
