package dev.connect.cache;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.ConnectException;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache entry and its background loop. The value served is one immutable {@link Value} in a
 * volatile field, so a reader sees a whole old value or a whole new one. The loop keeps exactly
 * one fetch outstanding (or one step scheduled): each completion starts the next step, so no
 * thread is held per entry.
 *
 * <p>Only the latest attempt and the latest scheduled step count: each carries a sequence number,
 * and a superseded one does nothing when it runs or completes, so a step that could not be
 * cancelled in time never starts a second loop. Every backend future an attempt creates is kept,
 * so that eviction and close cancel the query itself, not only a future derived from it.
 */
abstract class Entry<T> {
  private static final Logger log = LoggerFactory.getLogger(Entry.class);

  /**
   * The burst of the per-entry rate limit of fetches that follow an answer whose index did not
   * move: two, as Consul's agent cache (cache-types/options.go, {@code EntryFetchMaxBurst}).
   */
  static final int RATE_LIMIT_BURST = 2;
  /**
   * The interval of the same rate limit: one fetch per second once the burst is spent. Answers
   * whose index moved are not limited, so changes are delivered as they come. A blocking query that waits as it should never meets it; a backend that answers at
   * once with an unchanged index is asked at most once a second instead of in a tight loop.
   */
  static final Duration RATE_LIMIT_INTERVAL = Duration.ofSeconds(1);

  /**
   * The value served, the backend index it was current at, and the end of its validity in epoch
   * milliseconds ({@link Long#MAX_VALUE} unless it expires, as a leaf does): read on every hit,
   * so that the check needs no call into the entry.
   */
  record Value<T>(T value, long index, long notAfterMillis) {
    boolean servableAt(java.time.Clock clock) {
      return notAfterMillis == Long.MAX_VALUE || clock.millis() < notAfterMillis;
    }
  }

  /** Wraps an answer as the value to serve; a leaf sets its end of validity. */
  Value<T> newValue(T value, long index) {
    return new Value<>(value, index, Long.MAX_VALUE);
  }

  /** The backend futures of one attempt, which cancelling the attempt cancels. */
  static final class Call {
    private final List<Future<?>> raw = new ArrayList<>(2);
    private boolean cancelled;

    /** Keeps {@code future} so {@link #cancel()} reaches it; cancels it at once if too late. */
    <F extends Future<?>> F track(F future) {
      boolean late;
      synchronized (this) {
        late = cancelled;
        if (!late) {
          raw.add(future);
        }
      }
      if (late) {
        future.cancel(false);
      }
      return future;
    }

    void cancel() {
      List<Future<?>> all;
      synchronized (this) {
        cancelled = true;
        all = List.copyOf(raw);
        raw.clear();
      }
      for (Future<?> f : all) {
        f.cancel(false);
      }
    }
  }

  final CacheKey key;
  final CacheRequest request;
  final ConnectCache cache;
  /** The request's options, always naming the key's datacenter. */
  final QueryOptions options;
  final CompletableFuture<T> firstLoad = new CompletableFuture<>();

  volatile Value<T> value;
  /** The loop's last fetch succeeded and it is running: the value is as fresh as can be. */
  volatile boolean healthy;
  volatile long lastSuccessNanos;

  // Guarded by this.
  private boolean started;
  private boolean stopped;
  /** The loop's backend call outstanding, if any: what eviction cancels. */
  private Call inFlight;
  /** The sequence number of the loop's latest attempt; older results are ignored. */
  private long attemptSeq;
  /** The next step scheduled (a query, a retry, a renewal, a re-issue), if any. */
  private Future<?> timer;
  /** The sequence number of the latest step scheduled; older steps do nothing. */
  private long stepSeq;
  private long nextAttemptNanos = -1;
  /** When the first load began, in ticker nanoseconds: the start of the first-load budget. */
  private long firstAttemptNanos;
  private int failures;
  private Throwable lastError;
  private Instant lastSuccess;
  private CompletableFuture<T> forced;
  private Call forcedCall;
  /** The theoretical arrival time of the rate limiter (GCRA), in ticker nanoseconds. */
  private long limiterTat;

  Entry(CacheKey key, CacheRequest request, ConnectCache cache) {
    this.key = key;
    this.request = request;
    this.cache = cache;
    QueryOptions base = request.options();
    this.options = base.datacenter().isPresent() ? base
        : base.toBuilder().datacenter(key.datacenter).build();
    this.limiterTat = cache.ticker.read();
  }

  /**
   * Fetches from the backend; {@code minIndex} 0 answers at once. Every backend future it
   * creates goes through {@link Call#track} so that cancelling the call cancels the query.
   */
  abstract CompletableFuture<QueryResult<T>> fetch(long minIndex, Call call);

  /**
   * Schedules the loop's next step after a successful fetch.
   *
   * @param current the value now served
   * @param minIndex the index the next blocking query waits on; 0 after the index went back
   * @param moved whether the index moved forward (or this was the first value)
   */
  abstract void next(Value<T> current, long minIndex, boolean moved);

  /**
   * Tells whether the last good value may still be served while refreshes fail; a leaf may not
   * once it has expired.
   */
  boolean usableAfterFailure() {
    return true;
  }

  /** Tells whether an answer carries the value already served: by default, the same index. */
  boolean same(Value<T> current, QueryResult<T> result) {
    return current.index() == result.index();
  }

  /**
   * Tells whether an answer fetched apart from the loop may replace the value served: only if it
   * is not older, so a slow forced fetch never rolls the value back.
   */
  boolean notOlder(Value<T> current, QueryResult<T> result) {
    return result.index() >= current.index();
  }

  /** Called after the value changed, outside the lock. */
  void changed(Value<T> old, Value<T> now) {}

  /**
   * Tells the cache's listeners about {@code now}, unless a newer value was installed meanwhile
   * (its own delivery tells them), so a slow delivery of an older value does not arrive after
   * the newer one's. No lock is held while listeners run: one that reads the cache from its
   * callback must not wait on a delivery of this entry. Two deliveries that both start before
   * either value is replaced can still interleave; listeners that keep a copy should compare
   * what they are told with what the cache serves.
   */
  private void tell(Value<T> now) {
    if (value == now) {
      cache.changed(this, now.value());
    }
  }

  /** Starts the first fetch on the calling thread; idempotent. */
  final void start() {
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
      firstAttemptNanos = cache.ticker.read();
    }
    attempt(0);
  }

  final boolean fresh(long maxAgeNanos) {
    return maxAgeNanos < 0 || healthy
        || cache.ticker.read() - lastSuccessNanos <= maxAgeNanos;
  }

  /** Runs a scheduled step, unless a later step replaced it. */
  private void step(long seq, long minIndex) {
    synchronized (this) {
      if (stopped || seq != stepSeq) {
        return;
      }
      timer = null;
      nextAttemptNanos = -1;
    }
    attempt(minIndex);
  }

  /** Runs one fetch now and feeds its outcome to the loop; supersedes any fetch outstanding. */
  final void attempt(long minIndex) {
    Call call = new Call();
    Call previous;
    long seq;
    synchronized (this) {
      if (stopped) {
        return;
      }
      previous = inFlight;
      inFlight = call;
      seq = ++attemptSeq;
    }
    if (previous != null) {
      previous.cancel();
    }
    timedFetch(minIndex, call).whenComplete((r, x) -> onResult(seq, call, r, x));
  }

  /**
   * Fetches with a deadline on the injected scheduler, so that a query the backend never answers
   * counts as a failure instead of leaving the entry healthy for ever.
   */
  private CompletableFuture<QueryResult<T>> timedFetch(long minIndex, Call call) {
    CompletableFuture<QueryResult<T>> f;
    try {
      f = fetch(minIndex, call);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f.isDone()) {
      return f;
    }
    Duration limit = cache.fetchTimeout();
    CompletableFuture<QueryResult<T>> out = new CompletableFuture<>();
    Future<?> deadline;
    try {
      deadline = cache.scheduler.schedule(() -> {
        if (out.completeExceptionally(new NoAnswerException("no answer from the backend for "
            + key + " within " + limit))) {
          call.cancel();
        }
      }, limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      deadline = null;
    }
    Future<?> d = deadline;
    f.whenComplete((r, x) -> {
      if (d != null) {
        d.cancel(false);
      }
      if (x != null) {
        out.completeExceptionally(x);
      } else {
        out.complete(r);
      }
    });
    return out;
  }

  private void onResult(long seq, Call call, QueryResult<T> result, Throwable failure) {
    Throwable cause = unwrap(failure);
    synchronized (this) {
      if (seq != attemptSeq) {
        return; // superseded by a later attempt, which completes firstLoad if needed
      }
      if (inFlight == call) {
        inFlight = null;
      }
    }
    boolean first = !firstLoad.isDone();
    if (cause == null) {
      Value<T> old;
      Value<T> now;
      long nextIndex;
      boolean moved;
      boolean stop;
      synchronized (this) {
        old = value;
        now = old != null && same(old, result) ? old
            : newValue(result.value(), result.index());
        // Consul's client rule: an index that went back means the state was reset; start over.
        nextIndex = old != null && result.index() < old.index() ? 0 : now.index();
        moved = old == null || result.index() > old.index();
        value = now;
        failures = 0;
        lastError = null;
        lastSuccess = cache.clock.instant();
        lastSuccessNanos = cache.ticker.read();
        stop = stopped;
        healthy = !stop;
      }
      if (first) {
        cache.loadSucceeded();
      } else {
        cache.refreshSucceeded();
      }
      firstLoad.complete(now.value());
      if (old != now) {
        changed(old, now);
        if (old != null) {
          tell(now);
        }
      }
      if (!stop) {
        next(now, nextIndex, moved);
      }
      return;
    }
    boolean stop;
    int n;
    synchronized (this) {
      stop = stopped;
      if (!stop) {
        failures++;
        lastError = cause;
        healthy = false;
      }
      n = failures;
    }
    if (first && !stop && retryFirstLoad(cause, n)) {
      return;
    }
    if (first) {
      // Errors are never stored as values: the caller gets this one, the next read retries.
      cache.loadFailed(this);
      firstLoad.completeExceptionally(cause);
      return;
    }
    if (stop || cause instanceof CancellationException) {
      return;
    }
    cache.refreshFailed();
    if (refusal(cause)) {
      log.info("stopping refresh of {} and dropping it: {}", key, cause.getMessage());
      cache.invalidate(this);
      return;
    }
    if (!usableAfterFailure()) {
      log.warn("dropping {}: its value is no longer usable and refreshing failed: {}", key,
          cause.toString());
      cache.invalidate(this);
      return;
    }
    Duration delay = cache.backoff(n);
    log.debug("refresh of {} failed {} time(s), retrying in {}: {}", key, n, delay,
        cause.toString());
    // A fetch that answers at once (a new leaf, for a leaf), so that a recovered backend is
    // noticed, and the value re-read, without waiting for a change.
    schedule(delay, 0);
  }

  /**
   * Schedules another first load after a transient failure (a new Consul leader's 500 {@code CA
   * is uninitialized}, a refused connection, a timeout), with the loop's backoff, if it still
   * fits in the cache's first-load budget; the readers keep waiting on {@link #firstLoad}.
   * Refusals and other final failures are not retried.
   *
   * @return whether a retry was scheduled
   */
  private boolean retryFirstLoad(Throwable cause, int failures) {
    if (!transientFailure(cause)) {
      return false;
    }
    Duration delay = cache.backoff(failures);
    long deadline;
    synchronized (this) {
      deadline = firstAttemptNanos + cache.firstLoadBudget().toNanos();
    }
    long at = cache.ticker.read() + delay.toNanos();
    if (at - deadline > 0) {
      log.info("first load of {} failed {} time(s) within its budget of {}; giving up: {}", key,
          failures, cache.firstLoadBudget(), cause.toString());
      return false;
    }
    log.info("first load of {} failed {} time(s), retrying in {}: {}", key, failures, delay,
        cause.toString());
    schedule(delay, 0);
    return true;
  }

  /**
   * Tells whether a failure may go away by itself: a {@link ConnectException} that says so
   * ({@link ConnectException#isTransient()}), a timeout or an I/O error.
   */
  static boolean transientFailure(Throwable cause) {
    if (cause instanceof ConnectException c) {
      return c.isTransient();
    }
    return cause instanceof TimeoutException || cause instanceof java.io.IOException
        || cause instanceof java.io.UncheckedIOException;
  }

  /** A backend call the cache gave up waiting for: transient. */
  static final class NoAnswerException extends ConnectException {
    private static final long serialVersionUID = 1L;

    NoAnswerException(String message) {
      super(message, new TimeoutException());
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /**
   * Returns how long the next loop fetch after an answer whose index did not move must wait: a
   * token
   * bucket of {@link #RATE_LIMIT_BURST} refilled every {@link #RATE_LIMIT_INTERVAL}, kept as a
   * theoretical arrival time (GCRA).
   */
  final synchronized Duration rateLimitDelay() {
    long now = cache.ticker.read();
    long interval = RATE_LIMIT_INTERVAL.toNanos();
    long start = now - limiterTat > 0 ? now : limiterTat;
    long allowedAt = start - (RATE_LIMIT_BURST - 1) * interval;
    long wait = allowedAt - now > 0 ? allowedAt - now : 0;
    limiterTat = start + interval;
    return Duration.ofNanos(wait);
  }

  /**
   * Replaces whatever step is scheduled with a fetch at {@code minIndex} after {@code delay}.
   * Zero delays go through the scheduler too, so that every step can be cancelled.
   */
  final void schedule(Duration delay, long minIndex) {
    boolean rejected = false;
    synchronized (this) {
      if (stopped) {
        return;
      }
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      long seq = ++stepSeq;
      long nanos = delay.isNegative() ? 0 : delay.toNanos();
      nextAttemptNanos = nanos == 0 ? -1 : cache.ticker.read() + nanos;
      try {
        timer = cache.scheduler.schedule(() -> step(seq, minIndex), nanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        rejected = true;
        nextAttemptNanos = -1;
      }
    }
    if (rejected) {
      // After close(), or a saturated scheduler: the loop cannot go on, so the entry must not stay
      // cached looking healthy. The next read loads it again (or finds the cache closed).
      log.debug("dropping {}: its next step was rejected by the scheduler", key);
      cache.invalidate(this);
    }
  }

  /**
   * Fetches now, apart from the loop, for a reader that needs a fresher value. The answer
   * replaces the value only if it is not older than the one served, and never after the entry
   * stopped.
   */
  final CompletableFuture<T> refreshNow() {
    CompletableFuture<T> mine;
    Call call = new Call();
    synchronized (this) {
      if (forced != null && !forced.isDone()) {
        return forced;
      }
      if (stopped) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(key + " was evicted or the cache closed"));
      }
      forced = mine = new CompletableFuture<>();
      forcedCall = call;
    }
    timedFetch(0, call).whenComplete((r, x) -> {
      if (x != null) {
        synchronized (this) {
          if (forcedCall == call) {
            forcedCall = null;
          }
        }
        Throwable cause = unwrap(x);
        if (refusal(cause)) {
          log.info("dropping {}: {}", key, cause.getMessage());
          cache.invalidate(this);
        }
        mine.completeExceptionally(cause);
        return;
      }
      Value<T> old;
      Value<T> now;
      synchronized (this) {
        if (forcedCall == call) {
          forcedCall = null;
        }
        old = value;
        now = old;
        if (!stopped) {
          if (old == null || !same(old, r) && notOlder(old, r)) {
            now = newValue(r.value(), r.index());
            value = now;
          }
          failures = 0;
          lastError = null;
          healthy = true;
          lastSuccess = cache.clock.instant();
          lastSuccessNanos = cache.ticker.read();
        }
      }
      if (old != now) {
        changed(old, now);
        if (old != null) {
          tell(now);
        }
      }
      mine.complete(now == null ? r.value() : now.value());
    });
    return mine;
  }

  /** Stops the loop and cancels what is outstanding; idempotent. */
  final void stop() {
    Call call;
    Call extra;
    Future<?> next;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      healthy = false;
      call = inFlight;
      extra = forcedCall;
      next = timer;
      inFlight = null;
      forcedCall = null;
      timer = null;
      stepSeq++;
      nextAttemptNanos = -1;
    }
    if (call != null) {
      call.cancel();
    }
    if (extra != null) {
      extra.cancel();
    }
    if (next != null) {
      next.cancel(false);
    }
    // A first load between retries would otherwise leave its readers waiting for ever; they get
    // its last failure (the one a failed load reports anyway), else the reason it stopped.
    Throwable last;
    synchronized (this) {
      last = lastError;
    }
    firstLoad.completeExceptionally(last != null ? last : new IllegalStateException(key
        + " was evicted or the cache closed before its first load succeeded"));
  }

  final synchronized boolean isStopped() {
    return stopped;
  }

  final synchronized EntryStatus status() {
    Value<T> v = value;
    long now = cache.ticker.read();
    Duration age = healthy || lastSuccess == null ? Duration.ZERO
        : Duration.ofNanos(Math.max(0, now - lastSuccessNanos));
    Optional<Instant> next = nextAttemptNanos < 0 ? Optional.empty()
        : Optional.of(cache.clock.instant().plusNanos(Math.max(0, nextAttemptNanos - now)));
    return new EntryStatus(key.type, v == null ? 0 : v.index(), age,
        Optional.ofNullable(lastSuccess), Optional.ofNullable(lastError), failures, !stopped,
        next);
  }

  /**
   * Tells whether a failure is the backend's final word on this entry's token: the token is not
   * known ({@link AclNotFoundException}), or it lacks the permission the entry needs ({@link
   * PermissionDeniedException}). Either drops the entry, so that no value the token may no longer
   * read keeps being served (a stale intention match would keep allowing a denied caller) and
   * every read fails with the refusal itself; anything else (I/O, a timeout, a server error) is
   * transient and the last good value stays.
   */
  static boolean refusal(Throwable cause) {
    return cause instanceof AclNotFoundException || cause instanceof PermissionDeniedException;
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "Entry[" + key + "]";
  }
}
