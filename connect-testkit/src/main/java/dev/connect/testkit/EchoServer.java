package dev.connect.testkit;

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
 * sends back every line it reads. Records what the application saw of each connection. For
 * handshake tests with JSSE contexts; every wait is bounded by {@link #TIMEOUT_MS}.
 */
public final class EchoServer implements AutoCloseable {
  /** How long a socket read or a wait may take: a hang guard only, never asserted. */
  public static final int TIMEOUT_MS = 20_000;

  private final SSLServerSocket socket;
  private final Thread thread;
  private final BlockingQueue<Throwable> outcomes = new LinkedBlockingQueue<>();

  /**
   * Starts serving on 127.0.0.1 at a free port.
   *
   * @param context the server's TLS context
   * @throws IOException if the socket cannot be bound
   */
  public EchoServer(SSLContext context) throws IOException {
    socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    thread = new Thread(this::run, "echo-server");
    thread.setDaemon(true);
    thread.start();
  }

  /** Returns the port served. */
  public int port() {
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

  /**
   * Returns the next connection's outcome: an {@link Ok}, or the failure the server saw.
   *
   * @return the outcome
   * @throws InterruptedException if interrupted while waiting
   * @throws AssertionError if no connection ended within {@link #TIMEOUT_MS}
   */
  public Throwable next() throws InterruptedException {
    Throwable t = outcomes.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (t == null) {
      throw new AssertionError("the server saw no connection");
    }
    return t;
  }

  /**
   * Connects with {@code context}, sends {@code line} and returns the echo.
   *
   * @param context the client's TLS context
   * @param port the server's port on 127.0.0.1
   * @param line one line of text
   * @return the line echoed
   * @throws IOException if the handshake or the exchange fails
   */
  public static String echo(SSLContext context, int port, String line) throws IOException {
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

  /**
   * Returns every message in a cause chain, for reasons wrapped by JSSE.
   *
   * @param t the failure
   * @return each cause's class and message
   */
  public static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }

  /** A connection the server served without error. */
  public static final class Ok extends Throwable {
    private static final long serialVersionUID = 1L;

    Ok() {
      super("ok", null, false, false);
    }
  }

  /**
   * Stops serving and waits for the serving thread, at most {@link #TIMEOUT_MS}; an interrupt
   * while waiting ends the wait and stays set on the calling thread.
   */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
    try {
      thread.join(TIMEOUT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
