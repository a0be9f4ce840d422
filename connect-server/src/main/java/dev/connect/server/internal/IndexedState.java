package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.core.QueryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index core of the state store: which table changed at which index, and the blocking queries
 * waiting for a table to change.
 *
 * <p>There is one global index. Each {@link #bump} raises it by one and stamps the named tables
 * with the new value, so a table's index is the global index of its last change. Indexes never go
 * backwards and are at least 1 (Consul forces that, so that a client never sends
 * {@code index=0}, which would mean "do not block", by accident).
 *
 * <p>{@link #awaitAbove} is the blocking query: it answers when the table's index exceeds the
 * client's minimum index, or when the wait elapses, whichever comes first. An index greater than
 * the table's (a client that talked to a server with more history, or to this one before its data
 * was restored) is treated as "not changed yet", as Consul does; the client resets once it sees
 * the smaller index at the timeout.
 *
 * <p><b>Ordering with the data.</b> The store must publish a change to its data before calling
 * {@link #bump}, and a reader must read {@link #index} <em>before</em> the data. Then the data a
 * reader returns is never older than the index it returns with; at worst it is newer, which costs
 * the client one extra round trip instead of a missed change.
 *
 * <p><b>Threads.</b> No thread is parked per waiter: waiters are futures in a concurrent set per
 * table, and their timeouts are tasks on the injected scheduler. Waiters are completed without any
 * lock held and never on the writer's thread: {@link #bump} hands the waiters it satisfies to the
 * scheduler as one task, so a dependent stage attached without {@code *Async} runs on the
 * scheduler thread, as does one completed by a timeout. A writer may therefore call {@code bump}
 * while holding its own locks, and a dependent stage may take those locks or call {@code bump}
 * again, without deadlock. Such stages delay other completions and timeouts, so they must be
 * short; longer work belongs on an executor of its own via {@code *Async}. Only {@link #close()}
 * completes waiters on the calling thread, so that they are all done when it returns.
 *
 * <p>The scheduler is not owned: close it after this store. With a {@link
 * java.util.concurrent.ScheduledThreadPoolExecutor}, turn on {@code setRemoveOnCancelPolicy(true)},
 * or every waiter answered early leaves its cancelled timeout in the queue until it would have
 * fired (up to {@link QueryOptions#MAX_WAIT_CAP}).
 */
public final class IndexedState implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexedState.class);

  private final Map<String, Table> tables;
  private final ScheduledExecutorService scheduler;
  private final Object writeLock = new Object();
  private volatile long globalIndex;
  private volatile boolean closed;

  /**
   * Creates a store of {@code tables}, each starting at {@code restoredIndex}.
   *
   * <p>Tables are fixed up front so that a misspelt name fails at once instead of waiting forever
   * on a table nothing writes. Starting every table at the restored global index is conservative:
   * after a restart a client holding an older index gets one spurious answer, never a missed one.
   *
   * @param restoredIndex the global index persisted by the previous run, or {@code 1} for a new
   *     data directory
   * @param tables the table names, at least one
   * @param scheduler runs timeouts and completes waiters; not closed by {@link #close()}
   * @throws IllegalArgumentException if {@code restoredIndex} is below 1 or {@code tables} is empty
   */
  public IndexedState(long restoredIndex, Collection<String> tables,
      ScheduledExecutorService scheduler) {
    requireNonNull(tables, "tables");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    if (restoredIndex < 1) {
      throw new IllegalArgumentException("restoredIndex must be at least 1: " + restoredIndex);
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("tables must not be empty");
    }
    Map<String, Table> byName = new TreeMap<>();
    for (String name : tables) {
      byName.put(requireNonNull(name, "table name"), new Table(restoredIndex));
    }
    this.tables = Map.copyOf(byName);
    this.globalIndex = restoredIndex;
  }

  /**
   * Records a change to {@code tables}: raises the global index by one, stamps each table with it,
   * and schedules the completion of every waiter on those tables whose minimum index it exceeds.
   *
   * <p>Allowed after {@link #close()}: the index still advances, there is just nobody to wake.
   *
   * @return the new global index
   * @throws IllegalArgumentException if no table is named or a name is unknown; nothing changes
   */
  public long bump(String... tables) {
    requireNonNull(tables, "tables");
    if (tables.length == 0) {
      throw new IllegalArgumentException("bump needs at least one table");
    }
    List<Table> changed = new ArrayList<>(tables.length);
    for (String name : tables) {
      changed.add(table(name));
    }
    long index;
    synchronized (writeLock) {
      index = Math.addExact(globalIndex, 1);
      for (Table table : changed) {
        table.index = index;
      }
      globalIndex = index;
    }
    List<Runnable> completions = new ArrayList<>();
    for (Table table : changed) {
      for (Waiter waiter : table.waiters) {
        // Removal is the claim: of bump, timeout and close, only the one that removes completes.
        if (waiter.minIndex < index && table.waiters.remove(waiter)) {
          completions.add(() -> waiter.future.complete(table.index));
        }
      }
    }
    if (!completions.isEmpty()) {
      completeOnScheduler(completions);
    }
    return index;
  }

  /** Returns the index of {@code table}'s last change, at least 1. */
  public long index(String table) {
    return table(table).index;
  }

  /** Returns the global index: that of the last change to any table, at least 1. */
  public long currentIndex() {
    return globalIndex;
  }

  /**
   * Returns a future of {@code table}'s index once it exceeds {@code minIndex}, or of its
   * unchanged index once {@code maxWait} elapses; it never completes exceptionally.
   *
   * <p>It is already complete when {@code minIndex} is 0 (a query that does not block), when the
   * table's index already exceeds {@code minIndex}, or when {@code maxWait} is zero or negative.
   * {@code maxWait} is capped at {@link QueryOptions#MAX_WAIT_CAP}. Cancelling the returned future
   * releases the waiter and its timeout at once; do that when the client goes away.
   *
   * @throws IllegalArgumentException if {@code minIndex} is negative or {@code table} is unknown
   * @throws IllegalStateException if this store is closed, or the scheduler refuses the timeout
   */
  public CompletableFuture<Long> awaitAbove(String table, long minIndex, Duration maxWait) {
    requireNonNull(maxWait, "maxWait");
    Table t = table(table);
    if (minIndex < 0) {
      throw new IllegalArgumentException("minIndex must not be negative: " + minIndex);
    }
    if (closed) {
      throw new IllegalStateException("closed: no new blocking queries on " + table);
    }
    long current = t.index;
    if (minIndex == 0 || current > minIndex || maxWait.isZero() || maxWait.isNegative()) {
      return CompletableFuture.completedFuture(current);
    }
    Waiter waiter = new Waiter(minIndex);
    waiter.future.whenComplete((index, failure) -> release(t, waiter));
    t.waiters.add(waiter);
    // A bump or close may have run between the checks above and the add, and missed this waiter:
    // look again now that it is visible to them.
    if ((t.index > minIndex || closed) && t.waiters.remove(waiter)) {
      waiter.future.complete(t.index);
      return waiter.future;
    }
    long nanos = maxWait.compareTo(QueryOptions.MAX_WAIT_CAP) > 0
        ? QueryOptions.MAX_WAIT_CAP.toNanos() : maxWait.toNanos();
    try {
      waiter.timeout = scheduler.schedule(() -> expire(t, waiter), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      waiter.future.cancel(false);
      throw new IllegalStateException("the scheduler refused the timeout of a blocking query on "
          + table + "; was it shut down before this store was closed?", e);
    }
    if (waiter.future.isDone()) {
      // Completed before the timeout was assigned, so release() could not cancel it.
      waiter.timeout.cancel(false);
    }
    return waiter.future;
  }

  /** Returns the number of blocking queries waiting, across all tables. */
  public int waiterCount() {
    int count = 0;
    for (Table table : tables.values()) {
      count += table.waiters.size();
    }
    return count;
  }

  /**
   * Completes every waiting query with its table's current index, on the calling thread, and
   * refuses new ones. Idempotent; the scheduler is left running.
   */
  @Override
  public void close() {
    closed = true;
    for (Table table : tables.values()) {
      for (Waiter waiter : table.waiters) {
        if (table.waiters.remove(waiter)) {
          waiter.future.complete(table.index);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "IndexedState[index=" + globalIndex + ", tables=" + new TreeSet<>(tables.keySet())
        + ", waiters=" + waiterCount() + (closed ? ", closed" : "") + "]";
  }

  private Table table(String name) {
    requireNonNull(name, "table");
    Table table = tables.get(name);
    if (table == null) {
      throw new IllegalArgumentException(
          "unknown table \"" + name + "\"; known: " + new TreeSet<>(tables.keySet()));
    }
    return table;
  }

  private void expire(Table table, Waiter waiter) {
    if (table.waiters.remove(waiter)) {
      waiter.future.complete(table.index);
    }
  }

  /** Runs on whatever thread completes (or cancels) the future, after it is done. */
  private static void release(Table table, Waiter waiter) {
    table.waiters.remove(waiter);
    ScheduledFuture<?> timeout = waiter.timeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  private void completeOnScheduler(List<Runnable> completions) {
    Runnable task = () -> completions.forEach(Runnable::run);
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      // The scheduler was shut down before close(): stranding these waiters would hang their
      // clients until they time out on their side, so complete them here and say so.
      log.warn("scheduler refused to complete {} blocking queries; completing them on the "
          + "writer's thread. Close the IndexedState before its scheduler.", completions.size());
      task.run();
    }
  }

  /** One table: the index of its last change and the queries waiting for the next. */
  private static final class Table {
    volatile long index;
    final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    Table(long index) {
      this.index = index;
    }
  }

  /** One blocking query; identity-equal, so each is its own set element. */
  private static final class Waiter {
    final long minIndex;
    final CompletableFuture<Long> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timeout;

    Waiter(long minIndex) {
      this.minIndex = minIndex;
    }
  }
}
