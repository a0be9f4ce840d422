package dev.connect.bench;

import dev.connect.ca.CaConfiguration;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.ConnectCache;
import dev.connect.cache.Leaf;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.server.EmbeddedServer;
import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.ConnectTls;
import dev.connect.tls.HandshakeEvent;
import dev.connect.tls.TlsStack;
import dev.connect.tls.netty.ConnectNettyTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full mutual-TLS 1.3 handshake between a {@code web} client and a {@code db} server, both
 * ends on the benchmark thread over in-memory {@link SSLEngine} pairs, for each TLS stack, with
 * our live contexts and with static contexts built from the same certificates.
 *
 * <p><b>Why in memory.</b> Both engines run on one thread and exchange records through byte
 * buffers, so the time per handshake is the CPU both ends spend, with no sockets, kernel or
 * thread hand-offs in it: the fairest measure of what a stack and its managers cost, and the
 * one least disturbed by a 2-core machine. Handshakes per second on one core are its inverse.
 * Each iteration also prints the thread's CPU time per handshake and its split between the
 * ends ({@code cpu/handshake}).
 *
 * <p><b>Variants.</b> {@code stack}: {@code JDK} is SunJSSE, {@code BOUNCY_CASTLE} is
 * BouncyCastle's JSSE over its own cryptography provider (both unregistered). {@code contexts}:
 * {@code live} are {@link ConnectTls} contexts (key manager reading the cache's leaf, trust
 * manager with the PKIX chain check, SPIFFE checks and authorization against intentions);
 * {@code static} are the stack's default managers over in-memory key stores of the same leaf
 * and roots (JDK: {@code KeyManagerFactory "SunX509"} and {@code TrustManagerFactory "PKIX"};
 * BouncyCastle: its own {@code PKIX} factories, because it asks key managers for TLS 1.3 key
 * types such as {@code EC/secp256r1} that SunX509 does not know). Both use the same
 * parameters (TLS 1.3, client authentication required). Engines are made without a peer host,
 * so no session is ever resumed: every operation is a full handshake. The live trust managers
 * see the same client chain every time, which is a memo hit after the first (a returning
 * peer); a static trust manager validates it in full each time. BouncyCastle's JSSE logs each
 * server handshake at INFO; the benchmark sets its logger to WARNING.
 *
 * <p>Netty: {@code NETTY_JDK} and {@code NETTY_OPENSSL} drive the engines Netty's {@code
 * SslContext.newEngine} makes (SunJSSE and BoringSSL) the same way; {@code live} contexts come
 * from {@code ConnectNettyTls}, {@code static} ones from Netty's builder given the key, the
 * chain and the roots once (the roots checked by the JDK's {@code PKIX} trust manager). BoringSSL's work runs on this thread through JNI, so the
 * thread's CPU time counts it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
@State(Scope.Thread)
public class HandshakeBenchmark {
  private static final char[] PASSWORD = "bench-only".toCharArray();
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /**
   * The TLS stack: {@code JDK} (SunJSSE), {@code BOUNCY_CASTLE} (BouncyCastle's JSSE), or
   * Netty's {@code SslContext}s with its JDK provider ({@code NETTY_JDK}, SunJSSE underneath)
   * or its OpenSSL provider ({@code NETTY_OPENSSL}, BoringSSL through netty-tcnative).
   */
  @Param({"JDK", "BOUNCY_CASTLE", "NETTY_JDK", "NETTY_OPENSSL"})
  public String stack;

  /** {@code live} (ConnectTls) or {@code static} (the stack's default managers). */
  @Param({"live", "static"})
  public String contexts;

  Path dir;
  EmbeddedServer server;
  ConnectCache cache;
  Pair pair;
  final AtomicLong decisions = new AtomicLong();
  final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  long clientCpu;
  long serverCpu;
  long handshakes;
  long iterationCpu;
  ByteBuffer clientToServer;
  ByteBuffer serverToClient;
  ByteBuffer clientApp;
  ByteBuffer serverApp;

  /** Makes the client and server engines of one handshake. */
  interface Pair {
    SSLEngine client();

    SSLEngine server();
  }

  /**
   * BouncyCastle's JSSE logs two INFO lines per server handshake through {@code
   * java.util.logging}; a deployment would turn that down, and console output is not the cost
   * of a handshake. Held here so the setting is not collected with the logger.
   */
  static final java.util.logging.Logger BCJSSE_LOG =
      java.util.logging.Logger.getLogger("org.bouncycastle.jsse");

  /** Starts the server and the cache, builds the contexts, and checks one handshake. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BCJSSE_LOG.setLevel(java.util.logging.Level.WARNING);
    dir = Files.createTempDirectory("handshake-bench");
    server = EmbeddedServer.builder().dataDirectory(dir)
        .caConfiguration(CaConfiguration.defaults().toBuilder().csrMaxPerSecond(0).build())
        .open();
    cache = ConnectCache.builder(server).leafKeys(CacheBenchmark.KEYS).build();
    pair = stack.startsWith("NETTY_")
        ? nettyPair(SslProvider.valueOf(stack.substring("NETTY_".length())), contexts)
        : pair(TlsStack.valueOf(stack), contexts);
    clientToServer = ByteBuffer.allocate(1 << 17);
    serverToClient = ByteBuffer.allocate(1 << 17);
    clientApp = ByteBuffer.allocate(1 << 17);
    serverApp = ByteBuffer.allocate(1 << 17);
    long before = decisions.get();
    SSLEngine[] done = handshake();
    X509Certificate peer = (X509Certificate) done[1].getSession().getPeerCertificates()[0];
    if (!done[0].getSession().getProtocol().equals("TLSv1.3")
        || !peer.getSubjectAlternativeNames().toString().contains("/svc/web")) {
      throw new IllegalStateException("unexpected handshake: " + done[0].getSession());
    }
    if (contexts.equals("live") && decisions.get() - before != 2) {
      throw new IllegalStateException("the trust managers did not decide on both ends");
    }
  }

  static final CacheRequest REQUEST = CacheRequest.withToken("bench-token");

  /** The db server's builder on {@code tls}, counting allowed decisions. */
  private ConnectTls.ServerBuilder db(TlsStack tls) {
    return ConnectTls.forServer(ConnectIdentity.of(cache, "db", REQUEST))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).stack(tls).listener(this::count);
  }

  /** The web client's builder on {@code tls}, counting allowed decisions. */
  private ConnectTls.ClientBuilder web(TlsStack tls) {
    return ConnectTls.forClient(ConnectIdentity.of(cache, "web", REQUEST))
        .expectPeer("db").stack(tls).listener(this::count);
  }

  private void count(HandshakeEvent e) {
    if (e.allowed()) {
      decisions.incrementAndGet();
    }
  }

  private Pair pair(TlsStack tls, String kind) throws GeneralSecurityException, IOException {
    CacheRequest request = REQUEST;
    ConnectTls.ServerBuilder db = db(tls);
    ConnectTls.ClientBuilder web = web(tls);
    SSLParameters serverParams = db.sslParameters();
    SSLParameters clientParams = web.sslParameters();
    SSLContext serverContext;
    SSLContext clientContext;
    if (kind.equals("live")) {
      serverContext = db.sslContext();
      clientContext = web.sslContext();
    } else if (kind.equals("static")) {
      serverContext = staticContext(tls, cache.leaf("db", request), request);
      clientContext = staticContext(tls, cache.leaf("web", request), request);
    } else {
      throw new IllegalArgumentException("contexts: " + kind);
    }
    return new Pair() {
      @Override
      public SSLEngine client() {
        SSLEngine e = clientContext.createSSLEngine();
        e.setUseClientMode(true);
        e.setSSLParameters(clientParams);
        return e;
      }

      @Override
      public SSLEngine server() {
        SSLEngine e = serverContext.createSSLEngine();
        e.setUseClientMode(false);
        e.setSSLParameters(serverParams);
        return e;
      }
    };
  }

  /**
   * Netty contexts: {@code live} from {@link ConnectNettyTls} over our managers; {@code static}
   * from Netty's own builder over the JDK's default factories and the same key stores. Engines
   * come from {@code SslContext.newEngine}; OpenSSL engines are released after their handshake.
   */
  private Pair nettyPair(SslProvider provider, String kind) throws Exception {
    CacheRequest request = REQUEST;
    ConnectTls.ServerBuilder db = db(TlsStack.JDK);
    ConnectTls.ClientBuilder web = web(TlsStack.JDK);
    SslContext server;
    SslContext client;
    if (kind.equals("live")) {
      server = ConnectNettyTls.forServer(db).provider(provider).build();
      client = ConnectNettyTls.forClient(web).provider(provider).build();
    } else if (kind.equals("static")) {
      // The usual static Netty set-up: key and chain given once, roots for the JDK's PKIX.
      Leaf dbLeaf = cache.leaf("db", request);
      Leaf webLeaf = cache.leaf("web", request);
      X509Certificate[] roots = cache.roots(request).certificates()
          .toArray(new X509Certificate[0]);
      server = SslContextBuilder.forServer(dbLeaf.privateKey(),
              dbLeaf.chain().toArray(new X509Certificate[0]))
          .trustManager(roots).clientAuth(ClientAuth.REQUIRE)
          .sslProvider(provider).protocols("TLSv1.3").build();
      client = SslContextBuilder.forClient().keyManager(webLeaf.privateKey(),
              webLeaf.chain().toArray(new X509Certificate[0]))
          .trustManager(roots).endpointIdentificationAlgorithm(null)
          .sslProvider(provider).protocols("TLSv1.3").build();
    } else {
      throw new IllegalArgumentException("contexts: " + kind);
    }
    return new Pair() {
      @Override
      public SSLEngine client() {
        return client.newEngine(ByteBufAllocator.DEFAULT);
      }

      @Override
      public SSLEngine server() {
        return server.newEngine(ByteBufAllocator.DEFAULT);
      }
    };
  }

  private SSLContext staticContext(TlsStack tls, Leaf leaf, CacheRequest request)
      throws GeneralSecurityException, IOException {
    // Each stack's key store: the JDK's yields SunEC keys, which BouncyCastle would translate
    // on every signature, and a BouncyCastle user would keep BouncyCastle keys.
    KeyStore keys = tls == TlsStack.JDK ? KeyStore.getInstance("PKCS12")
        : KeyStore.getInstance("PKCS12", StaticBc.PROVIDER);
    keys.load(null, null);
    keys.setKeyEntry("leaf", leaf.privateKey(), PASSWORD,
        leaf.chain().toArray(new X509Certificate[0]));
    KeyStore roots = KeyStore.getInstance("PKCS12");
    roots.load(null, null);
    int i = 0;
    for (X509Certificate root : cache.roots(request).certificates()) {
      roots.setCertificateEntry("root-" + i++, root);
    }
    SSLContext context = tls == TlsStack.JDK ? SSLContext.getInstance("TLS")
        : SSLContext.getInstance("TLS", StaticBc.JSSE);
    KeyManagerFactory kmf = tls == TlsStack.JDK
        ? KeyManagerFactory.getInstance("SunX509")
        : KeyManagerFactory.getInstance("PKIX", context.getProvider());
    kmf.init(keys, PASSWORD);
    TrustManagerFactory tmf = tls == TlsStack.JDK
        ? TrustManagerFactory.getInstance("PKIX")
        : TrustManagerFactory.getInstance("PKIX", context.getProvider());
    tmf.init(roots);
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  /** Resets the CPU counters. */
  @Setup(Level.Iteration)
  public void resetCpu() {
    clientCpu = 0;
    serverCpu = 0;
    handshakes = 0;
    iterationCpu = threads.getCurrentThreadCpuTime();
  }

  /**
   * Prints the benchmark thread's CPU time per handshake in this iteration (both ends), and
   * its split between the ends, measured on every {@value #SPLIT_SAMPLE}th handshake: reading
   * a thread's CPU time is a system call, too dear to make around every step.
   */
  @TearDown(Level.Iteration)
  public void printCpu() {
    long total = threads.getCurrentThreadCpuTime() - iterationCpu;
    if (handshakes > 0 && clientCpu + serverCpu > 0) {
      double perHandshake = total / 1e3 / handshakes;
      double clientShare = (double) clientCpu / (clientCpu + serverCpu);
      System.out.printf("%ncpu/handshake %s %s: %.0f us (client %.0f us, server %.0f us;"
          + " %d handshakes)%n", stack, contexts, perHandshake, perHandshake * clientShare,
          perHandshake * (1 - clientShare), handshakes);
    }
  }

  static final int SPLIT_SAMPLE = 16;

  SSLEngine[] previous;

  private static void release(SSLEngine[] engines) {
    if (engines != null) {
      for (SSLEngine e : engines) {
        ReferenceCountUtil.release(e);
      }
    }
  }

  /** Stops everything and deletes the data directory. */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    release(previous);
    previous = null;
    cache.close();
    server.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * One full mutual-TLS handshake, both ends on this thread.
   *
   * @return the two engines, for the blackhole
   * @throws SSLException if the handshake fails
   */
  @Benchmark
  public SSLEngine[] handshake() throws SSLException {
    release(previous); // OpenSSL engines hold native memory until released
    SSLEngine client = pair.client();
    SSLEngine server = pair.server();
    clientToServer.clear();
    serverToClient.clear();
    client.beginHandshake();
    server.beginHandshake();
    boolean timed = handshakes % SPLIT_SAMPLE == 0;
    for (int round = 0; round < 50; round++) {
      long t0 = timed ? threads.getCurrentThreadCpuTime() : 0;
      boolean clientDone = step(client, serverToClient, clientToServer, clientApp);
      long t1 = timed ? threads.getCurrentThreadCpuTime() : 0;
      boolean serverDone = step(server, clientToServer, serverToClient, serverApp);
      if (timed) {
        long t2 = threads.getCurrentThreadCpuTime();
        clientCpu += t1 - t0;
        serverCpu += t2 - t1;
      }
      if (clientDone && serverDone && clientToServer.position() == 0
          && serverToClient.position() == 0) {
        handshakes++;
        previous = new SSLEngine[] {client, server};
        return previous;
      }
    }
    throw new SSLException("handshake did not finish: client "
        + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
  }

  /**
   * Runs one end until it needs the peer's records: unwraps what {@code in} holds (write mode),
   * runs delegated tasks, wraps into {@code out}. Returns whether it is done handshaking.
   */
  private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app)
      throws SSLException {
    while (true) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      switch (hs) {
        case NEED_TASK -> {
          for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
          }
        }
        case NEED_WRAP -> check(engine.wrap(EMPTY, out), engine);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrap(engine, in, app)) {
            return false;
          }
        }
        case NOT_HANDSHAKING, FINISHED -> {
          // Post-handshake records (TLS 1.3 tickets) still waiting are consumed here.
          if (in.position() > 0) {
            unwrap(engine, in, app);
          }
          return in.position() == 0;
        }
        default -> throw new AssertionError(hs);
      }
    }
  }

  private static boolean unwrap(SSLEngine engine, ByteBuffer in, ByteBuffer app)
      throws SSLException {
    in.flip();
    try {
      SSLEngineResult r = engine.unwrap(in, app);
      app.clear();
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
        return false;
      }
      check(r, engine);
      return true;
    } finally {
      in.compact();
    }
  }

  private static void check(SSLEngineResult r, SSLEngine engine) throws SSLException {
    if (r.getStatus() != SSLEngineResult.Status.OK) {
      throw new SSLException((engine.getUseClientMode() ? "client" : "server") + " " + r);
    }
  }

  /**
   * The static baseline's own BouncyCastle providers, made as connect-tls makes its own (one
   * unregistered instance each), without reaching into connect-tls's internals.
   */
  private static final class StaticBc {
    static final java.security.Provider PROVIDER =
        new org.bouncycastle.jce.provider.BouncyCastleProvider();
    static final java.security.Provider JSSE =
        new org.bouncycastle.jsse.provider.BouncyCastleJsseProvider(PROVIDER);
  }
}
