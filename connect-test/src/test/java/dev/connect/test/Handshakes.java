package dev.connect.test;

import dev.connect.testkit.TestLeaf;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** Exchanges over real sockets on 127.0.0.1, bounded in time. */
final class Handshakes {
  private Handshakes() {}

  /**
   * Returns the byte echoed back by a server of {@code server} to a client of {@code client},
   * or throws what the client saw.
   */
  static int echo(SSLContext server, SSLContext client) throws Exception {
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.setSoTimeout(10_000);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(10_000);
          int b = s.getInputStream().read();
          s.getOutputStream().write(b);
          s.getOutputStream().flush();
        } catch (IOException e) {
          // a refused client: the client side reports it
        }
      });
      try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket()) {
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            listener.getLocalPort()), 10_000);
        c.setSoTimeout(10_000);
        OutputStream out = c.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = c.getInputStream();
        int answer = in.read();
        if (answer < 0) {
          throw new IOException("closed by the server");
        }
        return answer;
      } finally {
        served.get(20, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Connects a plain JSSE client presenting {@code client} (trusting its own anchor) to a
   * server of {@code serverContext} accepting on {@code acceptor}, and returns once both sides
   * are done: the outcome is for the server's listeners to report, since a refused client may
   * learn it only at its first read under TLS 1.3.
   */
  static void attempt(SSLContext serverContext, TestLeaf client, ExecutorService acceptor)
      throws Exception {
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<?> accepted = acceptor.submit(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.setSoTimeout(10_000);
          s.startHandshake();
          s.getOutputStream().write(1);
        }
        return null;
      });
      SSLContext clientContext = client.sslContext(client.anchor());
      try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        s.setSoTimeout(10_000);
        s.startHandshake();
        s.getInputStream().read();
      } catch (IOException e) {
        // A refused client may learn it only at its first read under TLS 1.3.
      }
      try {
        accepted.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // The server's side of a refusal; the listener recorded why.
      }
    }
  }
}
