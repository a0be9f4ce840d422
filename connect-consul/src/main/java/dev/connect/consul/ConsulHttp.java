package dev.connect.consul;

import dev.connect.core.AclNotFoundException;
import dev.connect.core.PermissionDeniedException;
import dev.connect.core.Schedulers;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of {@link ConsulBackend}: one JDK {@link HttpClient} (HTTP/1.1, kept-alive
 * connections), Consul's query parameters and headers, and the mapping of every failure to the
 * project's exceptions.
 *
 * <p><b>Threads.</b> Each request is sent with the client's blocking {@link HttpClient#send} on a
 * thread of this class's own pool ({@code connect-consul-request-N}, reused, at most {@link
 * #MAX_REQUESTS_IN_FLIGHT}), which then runs what depends on the answer. Not {@link
 * HttpClient#sendAsync}: the JDK's client completes every {@code sendAsync} future through {@code
 * CompletableFuture}'s default executor, which on a machine or container with two CPUs or fewer
 * (a common-pool parallelism of 1) starts a new thread for every response. With 100 caches
 * woken by one intention write that cost most of the time the write took to reach the last of
 * them (issue 14, {@code PropagationBenchmark}). The client's own work runs on two further
 * threads ({@code connect-consul-N}). Cancelling the future of {@link Call#send} or {@link
 * Call#sendThen} stops its request: the sender is interrupted, which makes the JDK client cancel
 * the exchange and close its connection, so an evicted cache entry's blocking query holds neither
 * a connection nor a thread until its wait ends. A future derived from those with {@code
 * thenApply} does not pass a cancel on; {@link Call#sendThen} is the derived future that does.
 * {@link #close()} stops every request.
 */
final class ConsulHttp implements AutoCloseable {
  /** Added to a blocking query's wait and Consul's jitter (wait/16) before the request times out. */
  static final Duration BLOCKING_MARGIN = Duration.ofSeconds(10);
  /** The most a response body may hold: far above any Consul answer about Connect. */
  static final int MAX_BODY_BYTES = 16 << 20;
  /**
   * The most requests in flight at once, blocking queries included (one per cache entry that
   * watches something): beyond it a request fails at once, naming this limit.
   */
  static final int MAX_REQUESTS_IN_FLIGHT = 4096;

  private final URI base;
  private final HttpClient client;
  private final ExecutorService executor;
  /** Runs each request's blocking send and what depends on its answer. */
  private final ThreadPoolExecutor senders;
  private final Duration requestTimeout;

  ConsulHttp(URI base, SSLContext tls, Duration requestTimeout) {
    this.base = base;
    this.requestTimeout = requestTimeout;
    this.executor = Executors.newFixedThreadPool(2, Schedulers.daemonThreads("connect-consul"));
    this.senders = new ThreadPoolExecutor(0, MAX_REQUESTS_IN_FLIGHT, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), Schedulers.daemonThreads("connect-consul-request"));
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout).followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.client = b.build();
  }

  /** One answer: status, headers and body, with the endpoint that gave it. */
  record Response(String endpoint, int status, HttpHeaders headers, byte[] body) {
    /** The body as text, private keys redacted: Consul echoes a refused key in its error. */
    String text() {
      return redactKeys(new String(body, StandardCharsets.UTF_8).strip());
    }

    /** Returns {@code X-Consul-Index} by Consul's rules: required, unsigned; 0 counts as 1. */
    long index() {
      List<String> values = headers.allValues(ConsulHeaders.INDEX);
      if (values.isEmpty()) {
        throw new ConsulHttpException(endpoint, status, "no " + ConsulHeaders.INDEX + " header");
      }
      String v = values.get(0);
      long index;
      try {
        index = Long.parseLong(v);
      } catch (NumberFormatException e) {
        index = -1;
      }
      if (index < 0) {
        throw new ConsulHttpException(endpoint, status, "malformed " + ConsulHeaders.INDEX
            + " \"" + Texts.escape(v, 32) + "\"");
      }
      // Consul's blocking-query rules: an index of 0 is a server bug that would make the next
      // query return at once; treat it as 1 so that the next one blocks.
      return Math.max(index, 1);
    }

    /** Decodes the body leniently, or fails naming the endpoint; never a raw parse error. */
    <T> T decode(Shape<T> shape) {
      try {
        return ConsulJson.decodeResponse(body, shape);
      } catch (ConsulWireException e) {
        throw new ConsulHttpException(endpoint, status, "malformed body: " + e.getMessage(), e);
      }
    }
  }

  /** A request under construction: method, path, query parameters, token and body. */
  final class Call {
    private final String method;
    private final String path;
    private final Map<String, String> query = new LinkedHashMap<>();
    private String token;
    private byte[] body;
    private String contentType = ConsulHeaders.CONTENT_TYPE_JSON;
    private Duration timeout = requestTimeout;

    Call(String method, String path) {
      this.method = method;
      this.path = path;
    }

    Call param(String name, String value) {
      query.put(name, value);
      return this;
    }

    Call token(String secret) {
      this.token = secret;
      return this;
    }

    Call body(byte[] json) {
      this.body = json;
      return this;
    }

    /** A body that is not JSON, such as a PEM CSR. */
    Call body(byte[] bytes, String type) {
      this.body = bytes;
      this.contentType = type;
      return this;
    }

    /** Blocks on {@code index} for at most {@code wait}, as Consul's {@code ?index=&wait=}. */
    Call blocking(long index, Duration wait) {
      if (index > 0) {
        query.put("index", Long.toString(index));
        query.put("wait", wait.toMillis() + "ms");
        timeout = wait.plus(wait.dividedBy(BlockingQuery.JITTER_FRACTION)).plus(BLOCKING_MARGIN);
      }
      return this;
    }

    URI uri() {
      StringBuilder s = new StringBuilder(path);
      char sep = '?';
      for (Map.Entry<String, String> e : query.entrySet()) {
        s.append(sep).append(e.getKey()).append('=')
            .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
        sep = '&';
      }
      return base.resolve(s.toString());
    }

    /** Sends the request; any status completes normally, failures to talk exceptionally. */
    CompletableFuture<Response> send() {
      URI uri = uri();
      String endpoint = method + " " + uri;
      HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(timeout)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      if (token != null) {
        r.header(ConsulHeaders.TOKEN, token);
      }
      if (body != null) {
        r.header("Content-Type", contentType);
      }
      HttpRequest request;
      try {
        request = r.build();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(failure(endpoint, timeout, e));
      }
      CompletableFuture<Response> out = new CompletableFuture<>();
      Sender sender = new Sender();
      out.whenComplete((answer, failure) -> {
        if (out.isCancelled()) {
          sender.cancel();
        }
      });
      try {
        senders.execute(() -> {
          HttpResponse<byte[]> resp;
          try {
            if (!sender.start()) {
              return; // cancelled before it was sent
            }
            try {
              resp = client.send(request, info -> new BoundedBody(MAX_BODY_BYTES));
            } finally {
              sender.end();
            }
          } catch (InterruptedException e) { // close(), or a cancel: then out is done already
            out.completeExceptionally(failure(endpoint, timeout,
                new IOException("the Consul client was closed with the request in flight", e)));
            return;
          } catch (IOException | RuntimeException e) {
            out.completeExceptionally(failure(endpoint, timeout, e));
            return;
          }
          // What depends on the answer runs here, on this sender thread.
          out.complete(new Response(endpoint, resp.statusCode(), resp.headers(), resp.body()));
        });
      } catch (RejectedExecutionException e) {
        return CompletableFuture.failedFuture(failure(endpoint, timeout,
            senders.isShutdown() ? new IOException("the Consul client is closed", e)
                : new IOException(MAX_REQUESTS_IN_FLIGHT + " requests are in flight already,"
                    + " the most one ConsulBackend sends at once", e)));
      }
      return out;
    }

    /**
     * Sends the request and maps its answer with {@code then} on the sender thread; cancelling
     * the returned future cancels the request, as cancelling {@link #send()}'s does.
     */
    <T> CompletableFuture<T> sendThen(Function<Response, T> then) {
      CompletableFuture<Response> sent = send();
      CompletableFuture<T> mapped = sent.thenApply(then);
      mapped.whenComplete((r, e) -> {
        if (mapped.isCancelled()) {
          sent.cancel(false);
        }
      });
      return mapped;
    }

    /** Sends the request and fails unless the status is 200. */
    CompletableFuture<Response> ok() {
      return send().thenApply(ConsulHttp::requireOk);
    }
  }

  Call get(String path) {
    return new Call("GET", path);
  }

  Call call(String method, String path) {
    return new Call(method, path);
  }

  /**
   * Returns the response if its status is 200, else throws the project's exception for it: 403
   * as {@link AclNotFoundException} or {@link PermissionDeniedException}, 400 as {@link
   * IllegalArgumentException}, anything else as {@link ConsulHttpException}.
   */
  static Response requireOk(Response r) {
    if (r.status() == 200) {
      return r;
    }
    throw statusFailure(r);
  }

  static RuntimeException statusFailure(Response r) {
    String text = Texts.escape(r.text(), 512);
    if (r.status() == 403) {
      if (r.text().startsWith(AclNotFoundException.MESSAGE)) {
        return new AclNotFoundException();
      }
      return PermissionDeniedException.withCause(r.endpoint() + " answered 403 \"" + text + "\"");
    }
    if (r.status() == 400) {
      return new IllegalArgumentException(r.endpoint() + " answered 400: " + text);
    }
    return new ConsulHttpException(r.endpoint(), r.status(), text);
  }

  private static final java.util.regex.Pattern PRIVATE_KEY = java.util.regex.Pattern.compile(
      "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)",
      java.util.regex.Pattern.DOTALL);

  /** Replaces every PEM private key in a server's text, so no exception carries one. */
  static String redactKeys(String text) {
    return PRIVATE_KEY.matcher(text).replaceAll("<redacted private key>");
  }

  private static RuntimeException failure(String endpoint, Duration timeout, Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ConsulHttpException c) {
      return c;
    }
    String detail;
    if (e instanceof HttpConnectTimeoutException) {
      detail = "connect timed out after " + timeout;
    } else if (e instanceof HttpTimeoutException) {
      detail = "no answer within " + timeout;
    } else if (e instanceof java.net.ConnectException) {
      detail = "connection refused";
    } else if (e instanceof SSLException) {
      detail = "TLS failure: " + e.getMessage();
    } else if (e instanceof IOException) {
      detail = "I/O failure: " + e;
    } else {
      detail = e.toString();
    }
    return new ConsulHttpException(endpoint, 0, detail, e);
  }

  /**
   * The thread sending one request, which a cancel interrupts while, and only while, it sends:
   * the interrupt is cleared before the thread goes back to the pool, so it never reaches the
   * next request.
   */
  private static final class Sender {
    private Thread thread;
    private boolean cancelled;

    /** Claims the calling thread for the send; false if the request was cancelled already. */
    synchronized boolean start() {
      if (cancelled) {
        return false;
      }
      thread = Thread.currentThread();
      return true;
    }

    /** Releases the thread; clears an interrupt a cancel made, which happened before this. */
    synchronized void end() {
      thread = null;
      if (cancelled) {
        Thread.interrupted();
      }
    }

    synchronized void cancel() {
      cancelled = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  @Override
  public void close() {
    senders.shutdownNow(); // interrupts each send, which makes the JDK client cancel it
    executor.shutdownNow();
  }

  /** Collects a body of at most {@code limit} bytes; a longer one fails the request. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private Flow.Subscription subscription;
    private int size;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        size += b.remaining();
        parts.add(b);
      }
      if (size > limit) {
        parts.clear();
        subscription.cancel();
        result.completeExceptionally(
            new IOException("response body longer than " + limit + " bytes"));
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      byte[] out = new byte[size];
      int at = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(out, at, n);
        at += n;
      }
      result.complete(out);
    }
  }
}
