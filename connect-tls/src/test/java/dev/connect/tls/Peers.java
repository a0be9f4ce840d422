package dev.connect.tls;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.core.SpiffeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** Real peers on 127.0.0.1: a greeting server and a client that reads the greeting. */
final class Peers {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final int TIMEOUT_MS = 20_000; // hang guard only

  private Peers() {}

  /** What the server application saw of one connection. */
  record Accepted(SpiffeId peer, java.math.BigInteger serial, String protocol, Throwable failure) {
    boolean ok() {
      return failure == null;
    }
  }

  /**
   * A server that, for each connection, completes the handshake, writes {@code hello from
   * <name>\n} and closes. The application sees only connections whose handshake succeeded.
   */
  static final class GreetingServer implements AutoCloseable {
    final SSLServerSocket socket;
    final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final String name;

    GreetingServer(SSLContext context, String name) throws IOException {
      this(context, name, s -> { });
    }

    GreetingServer(SSLContext context, String name,
        java.util.function.Consumer<SSLServerSocket> configure) throws IOException {
      this.name = name;
      this.socket = (SSLServerSocket) context.getServerSocketFactory()
          .createServerSocket(0, 50, LOOPBACK);
      configure.accept(socket);
      this.thread = new Thread(this::run, "greeting-server-" + name);
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void run() {
      while (!socket.isClosed()) {
        try (SSLSocket s = (SSLSocket) socket.accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          try {
            s.startHandshake();
            SSLSession session = s.getSession();
            X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
            OutputStream out = s.getOutputStream();
            out.write(("hello from " + name + "\n").getBytes(UTF_8));
            out.flush();
            accepted.add(new Accepted(SpiffeId.fromCertificate(leaf), leaf.getSerialNumber(),
                session.getProtocol(), null));
            try {
              s.shutdownOutput();
            } catch (UnsupportedOperationException noHalfClose) {
              continue; // BouncyCastle's sockets: closing sends close_notify after the greeting
            }
            // Wait for the client to close, so that it reads everything we sent.
            while (s.getInputStream().read() >= 0) {
              // drain
            }
          } catch (IOException | RuntimeException e) {
            accepted.add(new Accepted(null, null, null, e));
          }
        } catch (SocketException closed) {
          return;
        } catch (IOException e) {
          accepted.add(new Accepted(null, null, null, e));
        }
      }
    }

    Accepted next() throws InterruptedException {
      Accepted a = accepted.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (a == null) {
        throw new AssertionError("the server saw no connection");
      }
      return a;
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(TIMEOUT_MS);
    }
  }

  /** What a client saw: the greeting and the server's identity. */
  record Reply(String line, SpiffeId server, java.math.BigInteger serial, String protocol) {}

  /**
   * Connects, handshakes, and reads one line; throws the {@link IOException} of a refused
   * handshake (with TLS 1.3 a server's refusal arrives on the first read).
   */
  static Reply connect(SSLContext context, int port, String... protocols) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(TIMEOUT_MS);
      if (protocols.length > 0) {
        s.setEnabledProtocols(protocols);
      }
      s.startHandshake();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new SocketException("closed by the server without a greeting");
      }
      SSLSession session = s.getSession();
      X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
      return new Reply(line, SpiffeId.fromCertificate(leaf), leaf.getSerialNumber(),
          session.getProtocol());
    }
  }

  /** Returns every message in a cause chain, for asserting on a reason wrapped by JSSE. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }
}
