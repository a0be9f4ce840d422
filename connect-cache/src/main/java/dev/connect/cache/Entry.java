package dev.connect.cache;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache entry and its background loop. The value served is one immutable {@link Value} in a
 * volatile field, so a reader sees a whole old value or a whole new one. The loop keeps exactly
 * one fetch outstanding (or one timer scheduled): each completion starts the next step, so no
 * thread is held per entry.
 */
abstract class Entry<T> {
  private static final Logger log = LoggerFactory.getLogger(Entry.class);

  /** The value served and the backend index it was current at. */
  record Value<T>(T value, long index) {}

  final CacheKey key;
  final CacheRequest request;
  final ConnectCache cache;
  final CompletableFuture<T> firstLoad = new CompletableFuture<>();

  volatile Value<T> value;
  /** The loop's last fetch succeeded and it is running: the value is as fresh as can be. */
  volatile boolean healthy;
  volatile long lastSuccessNanos;

  // Guarded by this.
  private boolean started;
  private boolean stopped;
  /** The backend call outstanding, if any: what eviction cancels. */
  private CompletableFuture<?> inFlight;
  /** The next step scheduled (a retry, a renewal, a re-issue), if any. */
  private Future<?> timer;
  private long nextAttemptNanos = -1;
  private int failures;
  private Throwable lastError;
  private Instant lastSuccess;
  private CompletableFuture<T> forced;

  Entry(CacheKey key, CacheRequest request, ConnectCache cache) {
    this.key = key;
    this.request = request;
    this.cache = cache;
  }

  /** Fetches from the backend; {@code minIndex} 0 answers at once. */
  abstract CompletableFuture<QueryResult<T>> fetch(long minIndex);

  /** Schedules the loop's next step after a successful fetch. */
  abstract void next(Value<T> current);

  /**
   * Tells whether the last good value may still be served while refreshes fail; a leaf may not
   * once it has expired.
   */
  boolean usableAfterFailure() {
    return true;
  }

  /** Called after the value changed, outside the lock. */
  void changed(Value<T> old, Value<T> now) {}

  /** Starts the first fetch on the calling thread; idempotent. */
  final void start() {
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
    }
    attempt(0);
  }

  final boolean fresh(long maxAgeNanos) {
    return maxAgeNanos < 0 || healthy
        || cache.ticker.read() - lastSuccessNanos <= maxAgeNanos;
  }

  /** Runs one fetch now and feeds its outcome to the loop. */
  final void attempt(long minIndex) {
    synchronized (this) {
      if (stopped) {
        return;
      }
      timer = null;
      nextAttemptNanos = -1;
    }
    CompletableFuture<QueryResult<T>> f;
    try {
      f = fetch(minIndex);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    synchronized (this) {
      if (stopped) {
        f.cancel(false);
      } else if (!f.isDone()) {
        inFlight = f;
      }
    }
    f.whenComplete(this::onResult);
  }

  private void onResult(QueryResult<T> result, Throwable failure) {
    Throwable cause = unwrap(failure);
    boolean first = !firstLoad.isDone();
    if (cause == null) {
      Value<T> old;
      Value<T> now;
      boolean stop;
      synchronized (this) {
        old = value;
        now = old != null && old.index() == result.index() ? old
            : new Value<>(result.value(), result.index());
        value = now;
        failures = 0;
        lastError = null;
        lastSuccess = cache.clock.instant();
        lastSuccessNanos = cache.ticker.read();
        stop = stopped;
        healthy = !stop;
        if (inFlight != null && inFlight.isDone()) {
          inFlight = null;
        }
      }
      if (first) {
        cache.loadSucceeded();
      } else {
        cache.refreshSucceeded();
      }
      firstLoad.complete(now.value());
      if (old != now) {
        changed(old, now);
      }
      if (!stop) {
        next(now);
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
    if (cause instanceof AclNotFoundException) {
      log.info("stopping refresh of {}: the token was not found", key);
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
    retryAfter(delay);
  }

  /**
   * Schedules the retry after a failure: a fetch that answers at once (a new leaf, for a leaf),
   * so that a recovered backend is noticed, and the value re-read, without waiting for a change.
   */
  private void retryAfter(Duration delay) {
    schedule(delay, () -> attempt(0));
  }

  /** Replaces whatever step is scheduled with {@code task} after {@code delay}. */
  final void schedule(Duration delay, Runnable task) {
    synchronized (this) {
      if (stopped) {
        return;
      }
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
      try {
        if (delay.isZero() || delay.isNegative()) {
          nextAttemptNanos = -1;
          cache.scheduler.execute(task);
        } else {
          nextAttemptNanos = cache.ticker.read() + delay.toNanos();
          timer = cache.scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (RejectedExecutionException e) {
        // Only after close(): the loop simply ends.
        stopped = true;
      }
    }
  }

  /** Fetches now, apart from the loop, for a reader that needs a fresher value. */
  final CompletableFuture<T> refreshNow() {
    synchronized (this) {
      if (forced != null && !forced.isDone()) {
        return forced;
      }
      CompletableFuture<QueryResult<T>> f;
      try {
        f = fetch(0);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      forced = f.thenApply(r -> {
        Value<T> old;
        Value<T> now;
        synchronized (this) {
          old = value;
          now = old != null && old.index() == r.index() ? old : new Value<>(r.value(), r.index());
          value = now;
          lastSuccess = cache.clock.instant();
          lastSuccessNanos = cache.ticker.read();
        }
        if (old != now) {
          changed(old, now);
        }
        return now.value();
      });
      return forced;
    }
  }

  /** Stops the loop and cancels what is outstanding; idempotent. */
  final void stop() {
    Future<?> call;
    Future<?> next;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      healthy = false;
      call = inFlight;
      next = timer;
      inFlight = null;
      timer = null;
      nextAttemptNanos = -1;
    }
    if (call != null) {
      call.cancel(false);
    }
    if (next != null) {
      next.cancel(false);
    }
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
