package dev.connect.agent;

import dev.connect.core.ConnectException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waits for backend futures and re-throws their failure as it was, not wrapped. */
final class Futures {
  private Futures() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new ConnectException("backend call failed: " + cause, cause);
    } catch (CancellationException e) {
      throw new ConnectException("backend call was cancelled", e);
    }
  }
}
