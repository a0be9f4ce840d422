package dev.connect.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** One echo exchange over real sockets on 127.0.0.1, bounded in time. */
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
}
