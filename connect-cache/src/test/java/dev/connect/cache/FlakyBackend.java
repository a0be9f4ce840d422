package dev.connect.cache;

import dev.connect.core.CaRoots;
import dev.connect.core.CsrSigningBackend;
import dev.connect.core.Intention;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A backend in front of the real server that counts the calls, keeps every future it hands out,
 * and fails calls on request.
 */
final class FlakyBackend implements CsrSigningBackend {
  final CsrSigningBackend delegate;
  final List<CompletableFuture<?>> futures = new CopyOnWriteArrayList<>();
  volatile Supplier<RuntimeException> failure;

  FlakyBackend(CsrSigningBackend delegate) {
    this.delegate = delegate;
  }

  int calls() {
    return futures.size();
  }

  CompletableFuture<?> last() {
    return futures.get(futures.size() - 1);
  }

  @Override
  public CompletableFuture<QueryResult<CaRoots>> roots(QueryOptions options) {
    return track(() -> delegate.roots(options));
  }

  @Override
  public CompletableFuture<QueryResult<IssuedCertificate>> signLeaf(String csrPem,
      QueryOptions options) {
    return track(() -> delegate.signLeaf(csrPem, options));
  }

  @Override
  public CompletableFuture<QueryResult<List<Intention>>> matchIntentions(String destination,
      QueryOptions options) {
    return track(() -> delegate.matchIntentions(destination, options));
  }

  private <T> CompletableFuture<T> track(Supplier<CompletableFuture<T>> call) {
    Supplier<RuntimeException> f = failure;
    CompletableFuture<T> result = f != null ? CompletableFuture.failedFuture(f.get()) : call.get();
    futures.add(result);
    return result;
  }
}
