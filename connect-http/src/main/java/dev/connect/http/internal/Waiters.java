package dev.connect.http.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The blocking queries waiting now: counted per client (a limit answered with 429), and
 * answered at once with the current data when the server drains.
 */
final class Waiters {
  private final int maxPerClient;
  private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
  private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();
  private final List<Map.Entry<Integer, CompletableFuture<Void>>> watchers =
      new CopyOnWriteArrayList<>();
  private volatile boolean draining;

  Waiters(int maxPerClient) {
    this.maxPerClient = maxPerClient;
  }

  /** One waiting query: its reply, and how to answer it now. */
  private record Waiter(CompletableFuture<ApiReply> reply,
      Supplier<CompletableFuture<ApiReply>> now) {}

  /**
   * Waits on {@code blocking}; on drain, answers with {@code now} instead. The client's count
   * is taken before and given back when the reply is done.
   *
   * @throws ApiException 429 when the client already has its maximum of waiting queries
   */
  CompletableFuture<ApiReply> await(String client, Supplier<CompletableFuture<ApiReply>> blocking,
      Supplier<CompletableFuture<ApiReply>> now) {
    if (draining) {
      return now.get();
    }
    boolean[] admitted = new boolean[1];
    perClient.compute(client, (c, n) -> {
      int count = n == null ? 0 : n;
      admitted[0] = count < maxPerClient;
      return admitted[0] ? Integer.valueOf(count + 1) : n;
    });
    if (!admitted[0]) {
      throw new ApiException(429, "Too many blocking queries from " + client + ": at most "
          + maxPerClient + " may wait at once");
    }
    CompletableFuture<ApiReply> reply = new CompletableFuture<>();
    Waiter w = new Waiter(reply, now);
    waiting.add(w);
    reply.whenComplete((r, e) -> {
      waiting.remove(w);
      release(client);
    });
    CompletableFuture<ApiReply> source;
    try {
      source = blocking.get();
    } catch (RuntimeException e) {
      reply.completeExceptionally(e);
      return reply;
    }
    source.whenComplete((r, e) -> complete(reply, r, e));
    // Watchers learn of a waiter once the backend holds its query, not before.
    for (Map.Entry<Integer, CompletableFuture<Void>> e : watchers) {
      if (waiting.size() >= e.getKey() && e.getValue().complete(null)) {
        watchers.remove(e);
      }
    }
    if (draining) {
      answerNow(w);
    }
    return reply;
  }

  /** Answers every waiting query now; later ones are answered at once. */
  void drain() {
    draining = true;
    for (Waiter w : waiting) {
      answerNow(w);
    }
  }

  /**
   * Completes once at least {@code n} queries wait at the same time: how a test knows a query is
   * waiting without polling.
   */
  CompletableFuture<Void> whenWaiting(int n) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    watchers.add(Map.entry(n, f));
    if (waiting.size() >= n && f.complete(null)) {
      watchers.removeIf(e -> e.getValue() == f);
    }
    return f;
  }

  /** The number of queries waiting now. */
  int size() {
    return waiting.size();
  }

  private static void answerNow(Waiter w) {
    if (w.reply().isDone()) {
      return;
    }
    try {
      w.now().get().whenComplete((r, e) -> complete(w.reply(), r, e));
    } catch (RuntimeException e) {
      w.reply().completeExceptionally(e);
    }
  }

  private static void complete(CompletableFuture<ApiReply> reply, ApiReply r, Throwable e) {
    if (e != null) {
      reply.completeExceptionally(e);
    } else {
      reply.complete(r);
    }
  }

  private void release(String client) {
    perClient.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
  }
}
