package dev.connect.cli;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.agent.Registration;
import dev.connect.agent.RotationListener;
import dev.connect.cache.Leaf;
import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.SpiffeId;
import dev.connect.core.Certificates;
import dev.connect.tls.HandshakeEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code connect demo}: the whole story in a few seconds. An embedded {@link ConnectAgent};
 * a {@code db} service serving native mutual TLS on loopback and a {@code web} service calling
 * it; an intention that denies the call (web sees the refusal, db's trust manager says why); the
 * call allowed again on a connection that stays open while the root rotates; and the next
 * handshake on a leaf from the new root.
 *
 * <p>The intention it writes for {@code web => db} carries the description {@value #MINE}; an
 * intention for that pair with another description is the operator's, and the demo leaves it
 * alone (it says so, and skips the steps that would change it).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Show Connect end to end: native mTLS from web to db, an intention that denies"
        + " it, and a root rotation under an open connection.")
final class DemoCommand implements Callable<Integer> {
  /** The description of the intention the demo owns. */
  static final String MINE = "written by connect demo";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "<dir>",
      description = "Data directory to create or reopen (default: a new temporary directory,"
          + " removed on exit).")
  Path dataDir;

  @Option(names = "--datacenter", paramLabel = "<dc>", defaultValue = "dc1",
      description = "Datacenter of the services (default: ${DEFAULT-VALUE}).")
  String datacenter;

  @Override
  public Integer call() throws Exception {
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("connect-demo-") : dataDir;
    try {
      return run(dir, temporary);
    } finally {
      if (temporary) {
        deleteRecursively(dir); // it holds a CA key: do not leave one behind per run
      }
    }
  }

  private int run(Path dir, boolean temporary) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    boolean existed = Files.exists(dir.resolve("state.json"));
    ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "connect-demo");
      t.setDaemon(true);
      return t;
    });
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).datacenter(datacenter)
        .caChangeJitter(Duration.ofMillis(500)).build()) {
      CaRoots roots = agent.ca().roots();
      out.printf("Data directory: %s (%s)%n", dir,
          temporary ? "temporary, removed on exit" : existed ? "reopened" : "created");
      out.printf("Trust domain:   %s%n", agent.trustDomain());
      out.printf("Datacenter:     %s%n", agent.datacenter());
      out.printf("Active root:    %s%n", roots.activeRootId());

      ConnectService db = agent.service("db");
      ConnectService web = agent.service("web");
      AtomicReference<HandshakeEvent> dbSaw = new AtomicReference<>();
      db.onHandshake(dbSaw::set);
      SSLContext dbContext = db.serverSslContext();
      SSLContext webContext = web.clientSslContext("db");
      try (SSLServerSocket listener = (SSLServerSocket) dbContext.getServerSocketFactory()
          .createServerSocket()) {
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        threads.execute(() -> serve(listener, threads));
        int port = listener.getLocalPort();

        out.println();
        out.printf("1. db serves native mTLS on 127.0.0.1:%d; web calls it.%n", port);
        Optional<Intention> operators = agent.intentions().get("web", "db")
            .filter(i -> !MINE.equals(i.description()));
        if (operators.isEmpty()) {
          agent.intentions().upsert("web", "db", IntentionAction.ALLOW, MINE);
          awaitDecision(db, web, true);
        } else {
          out.printf("   Your own intention %s => %s (%s) decides; the demo leaves it alone.%n",
              operators.get().source(), operators.get().destination(),
              operators.get().action().wireName());
        }
        try (Call call = Call.open(webContext, port)) {
          out.printf("   web -> db: \"%s\"%n", call.ask("hello"));
          out.printf("   %s%n", describe(call.socket));
          out.printf("   db authorized web: %s%n", dbSaw.get().reason());
        } catch (IOException e) {
          out.printf("   web -> db refused: %s%n", e.getMessage());
          reportDenial(out, dbSaw.get());
        }
        if (operators.isPresent()) {
          out.println();
          out.println("Skipping the deny and rotation steps: they would change your intention.");
          return 0;
        }

        out.println();
        out.println("2. An intention denies web => db.");
        agent.intentions().upsert("web", "db", IntentionAction.DENY, MINE);
        awaitDecision(db, web, false);
        dbSaw.set(null);
        try (Call call = Call.open(webContext, port)) {
          String answer = call.ask("hello");
          out.printf("   web -> db: \"%s\" (NOT refused: this is a bug)%n", answer);
          return ConnectCli.FAILED;
        } catch (IOException e) {
          out.printf("   web -> db refused: %s%n", e.getMessage());
          reportDenial(out, dbSaw.get());
        }

        out.println();
        out.println("3. Allowed again; the root rotates while a connection stays open.");
        agent.intentions().upsert("web", "db", IntentionAction.ALLOW, MINE);
        awaitDecision(db, web, true);
        try (Call open = Call.open(webContext, port)) {
          out.printf("   web -> db: \"%s\" (%s)%n", open.ask("hello"), describe(open.socket));
          CountDownLatch reissued = new CountDownLatch(2);
          RotationListener onLeaf = new RotationListener() {
            @Override
            public void leafChanged(ConnectService service, Leaf leaf) {
              reissued.countDown();
            }
          };
          Registration watchWeb = web.onRotation(onLeaf);
          Registration watchDb = db.onRotation(onLeaf);
          try {
            CaRoots rotated = agent.ca().rotate();
            out.printf("   Root rotated: %s is active, cross-signed by %s%n",
                rotated.activeRootId(), roots.activeRootId());
            if (!reissued.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
              out.printf("   Leaves were not re-issued within %s%n", WAIT);
              return ConnectCli.FAILED;
            }
            out.println("   Leaves of web and db re-issued by the new root.");
            out.printf("   Same connection, still open: \"%s\"%n", open.ask("still there?"));
            try (Call next = Call.open(webContext, port)) {
              out.printf("   New handshake: \"%s\" (%s)%n", next.ask("hello"),
                  describe(next.socket));
              X509Certificate[] chain = (X509Certificate[]) next.socket.getSession()
                  .getPeerCertificates();
              out.printf("   db's chain: leaf by the new root, then the new root cross-signed"
                  + " by the old one (%d certificates)%n", chain.length);
            }
          } finally {
            watchWeb.close();
            watchDb.close();
          }
        }
      } finally {
        threads.shutdownNow();
      }
    }
    out.println();
    out.printf("Done in %.1f s.%n", (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /**
   * Waits, at most {@link #WAIT}, until db's cached intentions decide web's calls as written: the
   * cache's blocking query delivers a write within moments, not at once.
   */
  private static void awaitDecision(ConnectService db, ConnectService web, boolean allowed) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (db.authorize(web.id().spiffeId()).allowed() != allowed) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("db's cached intentions did not change within " + WAIT);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  private static void reportDenial(PrintWriter out, HandshakeEvent event) {
    if (event != null && !event.allowed()) {
      out.printf("   db's trust manager: DENIED, %s%n", event.reason());
    }
  }

  private static String describe(SSLSocket socket) throws IOException {
    X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
    return socket.getSession().getProtocol() + ", db presented " + SpiffeId.fromCertificate(leaf)
        + " serial " + Certificates.serialHex(leaf.getSerialNumber()).substring(0, 11) + "...";
  }

  /** Accepts until the listener closes; each connection answers every line it reads. */
  private static void serve(SSLServerSocket listener, ExecutorService threads) {
    while (!listener.isClosed()) {
      SSLSocket s;
      try {
        s = (SSLSocket) listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      threads.execute(() -> {
        try (SSLSocket socket = s;
            BufferedReader in = new BufferedReader(new InputStreamReader(
                socket.getInputStream(), StandardCharsets.UTF_8));
            Writer w = new OutputStreamWriter(socket.getOutputStream(),
                StandardCharsets.UTF_8)) {
          socket.setSoTimeout((int) WAIT.toMillis());
          // Greet first: this write runs db's side of the handshake, so a refused client
          // reads db's alert in place of the greeting.
          w.write("db ready\n");
          w.flush();
          String line;
          while ((line = in.readLine()) != null) {
            X509Certificate peer = (X509Certificate) socket.getSession()
                .getPeerCertificates()[0];
            w.write(line.equals("hello") ? "hello " + SpiffeId.fromCertificate(peer)
                .path().replaceFirst(".*/svc/", "") + ", this is db\n" : "yes\n");
            w.flush();
          }
        } catch (IOException e) {
          // a refused or closed connection: db's trust manager already reported it
        }
      });
    }
  }

  /** One client connection from web. */
  private static final class Call implements AutoCloseable {
    final SSLSocket socket;
    final BufferedReader in;
    final Writer out;

    private Call(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8));
      this.out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
    }

    static Call open(SSLContext context, int port) throws IOException {
      SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
      try {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
            (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.startHandshake();
        Call call = new Call(socket);
        call.greeting();
        return call;
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    }

    /** Reads db's greeting; a refused client reads db's TLS alert here instead. */
    void greeting() throws IOException {
      String line = in.readLine();
      if (!"db ready".equals(line)) {
        throw new IOException("unexpected greeting from db: " + line);
      }
    }

    String ask(String line) throws IOException {
      out.write(line + "\n");
      out.flush();
      String answer;
      try {
        answer = in.readLine();
      } catch (SocketTimeoutException e) {
        throw new IOException("no answer within " + WAIT, e);
      }
      if (answer == null) {
        throw new IOException("connection closed by db");
      }
      return answer;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
