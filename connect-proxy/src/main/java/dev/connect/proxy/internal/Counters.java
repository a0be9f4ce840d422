package dev.connect.proxy.internal;

import dev.connect.proxy.ProxyMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/** The proxy's counters, written from its event loops and read as a {@link ProxyMetrics}. */
public final class Counters {
  private final AtomicInteger active = new AtomicInteger();
  /** Channels the proxy dialed (to the application or an upstream) that are still open. */
  private final AtomicInteger dialed = new AtomicInteger();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  /** Mesh side to local side. */
  public final LongAdder bytesIn = new LongAdder();
  /** Local side to mesh side. */
  public final LongAdder bytesOut = new LongAdder();
  private final LongAdder allowed = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
  private final Object drainLock = new Object();

  /** Counts an accepted connection if under {@code limit}; returns false when over it. */
  public boolean open(int limit) {
    while (true) {
      int n = active.get();
      if (n >= limit) {
        refused.increment();
        return false;
      }
      if (active.compareAndSet(n, n + 1)) {
        accepted.increment();
        return true;
      }
    }
  }

  /** Counts a channel the proxy dialed, until {@link #dialClosed()}. */
  public void dialOpened() {
    dialed.incrementAndGet();
  }

  /** Counts the end of a channel {@link #dialOpened()} counted. */
  public void dialClosed() {
    if (dialed.decrementAndGet() == 0 && active.get() == 0) {
      synchronized (drainLock) {
        drainLock.notifyAll();
      }
    }
  }

  /** Counts a closed connection that {@link #open} counted. */
  public void closed() {
    if (active.decrementAndGet() == 0) {
      synchronized (drainLock) {
        drainLock.notifyAll();
      }
    }
  }

  /**
   * Waits until no connection (and no channel the proxy dialed) is open or {@code millis} have
   * passed; true if none is open.
   */
  public boolean awaitIdle(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    synchronized (drainLock) {
      while (active.get() > 0 || dialed.get() > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        drainLock.wait(left);
      }
    }
    return true;
  }

  /** Counts a successful handshake. */
  public void allowed() {
    allowed.increment();
  }

  /** Counts a failed handshake under the reason its cause chain gives. */
  public void denied(Throwable cause) {
    denied.increment();
    String reason = reason(cause);
    LongAdder a = reasons.get(reason);
    if (a == null) {
      if (reasons.size() >= ProxyMetrics.MAX_REASONS) {
        reason = "other";
      }
      a = reasons.computeIfAbsent(reason, r -> new LongAdder());
    }
    a.increment();
  }

  /**
   * The reason of a failed handshake: the deepest message of the chain that starts with {@code
   * connect:} (our trust manager's words), else the first SSL exception's message.
   */
  public static String reason(Throwable cause) {
    String connect = null;
    String ssl = null;
    String certificate = null;
    int depth = 0;
    for (Throwable t = cause; t != null && depth < 16; t = t.getCause(), depth++) {
      String m = t.getMessage();
      if (m != null && m.contains("connect:")) {
        connect = m.substring(m.indexOf("connect:"));
      }
      if (t instanceof java.security.cert.CertificateException && m != null) {
        certificate = m;
      }
      if (ssl == null && t instanceof SSLException && m != null) {
        ssl = m;
      }
    }
    String r = connect != null ? connect : certificate != null ? certificate : ssl != null ? ssl
        : cause == null ? "unknown" : cause.getClass().getSimpleName();
    return r.length() > 200 ? r.substring(0, 200) : r;
  }

  /** Reads the counters. */
  public ProxyMetrics snapshot() {
    Map<String, Long> r = new java.util.HashMap<>();
    reasons.forEach((k, v) -> r.put(k, v.sum()));
    return new ProxyMetrics(active.get(), accepted.sum(), refused.sum(), bytesIn.sum(),
        bytesOut.sum(), allowed.sum(), denied.sum(), r);
  }
}
