package dev.connect.cache;

import dev.connect.core.CaRoots;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.Intention;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A backend in front of the real server whose misbehaviour a test chooses: answering blocking
 * queries at once, holding answers back, never answering, or rewriting what it signs. It keeps
 * every raw future it hands out and the options of every call.
 */
final class ProgrammableBackend implements CsrSigningBackend {
  final CsrSigningBackend delegate;
  final AtomicInteger rootsCalls = new AtomicInteger();
  final AtomicInteger signCalls = new AtomicInteger();
  final List<QueryOptions> rootsOptions = new CopyOnWriteArrayList<>();
  final List<QueryOptions> allOptions = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<?>> matchFutures = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<?>> signFutures = new CopyOnWriteArrayList<>();
  private final List<Runnable> held = new CopyOnWriteArrayList<>();

  /** Roots queries ignore minIndex and answer at once, as a broken backend might. */
  volatile boolean rootsAnswerAtOnce;
  /** Replaces the index of every roots answer. */
  volatile Long rootsIndex;
  /** The next non-blocking roots answer is held until {@link #release()}. */
  volatile boolean holdRoots;
  /** Replaces the index of every signed leaf. */
  volatile Long signIndex;
  /** Signed leaves are held until {@link #release()}. */
  volatile boolean holdSign;
  /** Sign calls never answer. */
  volatile boolean signNeverAnswers;
  /** Blocking match queries never answer. */
  volatile boolean matchNeverAnswers;
  /** Runs once, inside the next sign call, which then fails. */
  volatile Runnable duringNextSign;
  /** Rewrites the CSR before it is signed. */
  volatile UnaryOperator<String> csrRewrite = UnaryOperator.identity();

  ProgrammableBackend(CsrSigningBackend delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    if (rootsCalls.incrementAndGet() > 10_000) {
      throw new AssertionError("busy loop: more than 10,000 roots queries");
    }
    rootsOptions.add(options);
    allOptions.add(options);
    CompletableFuture<QueryResult<CaRoots>> r = delegate.roots(
        rootsAnswerAtOnce ? options.toBuilder().minIndex(0).build() : options);
    Long index = rootsIndex;
    if (index != null) {
      r = r.thenApply(q -> new QueryResult<>(q.value(), index));
    }
    if (holdRoots && !options.isBlocking()) {
      holdRoots = false;
      return hold(r);
    }
    return r;
  }

  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    if (signCalls.incrementAndGet() > 10_000) {
      throw new AssertionError("busy loop: more than 10,000 signing calls");
    }
    allOptions.add(options);
    Runnable during = duringNextSign;
    if (during != null) {
      duringNextSign = null;
      during.run();
      return CompletableFuture.failedFuture(new dev.connect.core.ConnectException("flaky"));
    }
    if (signNeverAnswers) {
      CompletableFuture<QueryResult<IssuedCertificate>> never = new CompletableFuture<>();
      signFutures.add(never);
      return never;
    }
    CompletableFuture<QueryResult<IssuedCertificate>> r =
        delegate.signLeaf(csrRewrite.apply(csrPem), options);
    Long index = signIndex;
    if (index != null) {
      r = r.thenApply(q -> new QueryResult<>(q.value(), index));
    }
    if (holdSign) {
      r = hold(r);
    }
    signFutures.add(r);
    return r;
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options) {
    allOptions.add(options);
    CompletableFuture<QueryResult<List<Intention>>> f = matchNeverAnswers && options.isBlocking()
        ? new CompletableFuture<>() : delegate.matchIntentions(destination, options);
    matchFutures.add(f);
    return f;
  }

  /** Completes every held answer, as it was when it was held. */
  void release() {
    List<Runnable> now = new ArrayList<>(held);
    held.clear();
    now.forEach(Runnable::run);
  }

  private <T> CompletableFuture<T> hold(CompletableFuture<T> answer) {
    T value = answer.join();
    CompletableFuture<T> later = new CompletableFuture<>();
    held.add(() -> later.complete(value));
    return later;
  }
}
