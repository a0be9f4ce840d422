package dev.connect.ca.vault;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS echo server on 127.0.0.1, port 0: for each connection it completes the handshake and
 * sends back every line it reads. Records what the application saw of each connection.
 */
final class EchoServer implements AutoCloseable {
  static final int TIMEOUT_MS = 20_000; // hang guard only, never asserted

  private final SSLServerSocket socket;
  private final Thread thread;
  private final BlockingQueue<Throwable> outcomes = new LinkedBlockingQueue<>();

  EchoServer(SSLContext context) throws IOException {
    socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::run, "echo-server");
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
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
          OutputStream out = s.getOutputStream();
          for (String line; (line = in.readLine()) != null; ) {
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
          }
          outcomes.add(new Ok());
        } catch (IOException | RuntimeException e) {
          outcomes.add(e);
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        outcomes.add(e);
      }
    }
  }

  /** Returns the next connection's outcome: an {@link Ok}, or the failure the server saw. */
  Throwable next() throws InterruptedException {
    Throwable t = outcomes.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (t == null) {
      throw new AssertionError("the server saw no connection");
    }
    return t;
  }

  /** Connects with {@code context}, sends {@code line} and returns the echo. */
  static String echo(SSLContext context, int port, String line) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(
        InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(TIMEOUT_MS);
      s.startHandshake();
      s.getOutputStream().write((line + "\n").getBytes(UTF_8));
      s.getOutputStream().flush();
      String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))
          .readLine();
      if (reply == null) {
        throw new SocketException("closed by the server without an echo");
      }
      return reply;
    }
  }

  /** Every message in a cause chain, for reasons wrapped by JSSE. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }

  /** A connection the server served without error. */
  static final class Ok extends Throwable {
    private static final long serialVersionUID = 1L;

    Ok() {
      super("ok", null, false, false);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
    thread.join(TIMEOUT_MS);
  }
}
