package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Plain JSSE sockets over Connect mutual TLS: {@code db} echoes lines on an {@link
 * SSLServerSocket} made from {@link ConnectService#serverSslContext()}, and {@code web} calls it
 * on an {@link SSLSocket} made from {@link ConnectService#clientSslContext(String)
 * clientSslContext("db")}.
 *
 * <pre>{@code
 * try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).build();
 *     JsseSocketExample.EchoServer db = JsseSocketExample.EchoServer.start(agent.service("db"))) {
 *   JsseSocketExample.call(agent.service("web"), db.address(), "hello");   // "hello"
 * }
 * }</pre>
 *
 * <p>What to notice:
 *
 * <ul>
 *   <li>No keystore, truststore or password. The contexts are built once and read the agent's
 *       cache on every handshake, so leaf renewals and root rotations need no restart.
 *   <li>{@code db} authorizes every caller with its intentions inside the handshake. A caller an
 *       intention denies gets a TLS alert; the echo loop never reads a byte from it.
 *   <li>With TLS 1.3 the client finishes its half of the handshake before the server has checked
 *       the client's certificate, so a refused client's {@code startHandshake()} can return
 *       normally; the refusal arrives as an {@link IOException} on its first read. Treat a
 *       connection as accepted only once a reply has arrived, as {@link #call} does.
 *   <li>No hostname check: Connect leaves carry a SPIFFE ID and no DNS name. The client context
 *       checks that the server is {@code db} instead.
 *   <li>Every socket has a read timeout, so a silent peer cannot hold a thread for ever.
 * </ul>
 */
public final class JsseSocketExample {
  /** How long a socket waits for its peer before giving up: 10 seconds. */
  public static final int TIMEOUT_MILLIS = 10_000;

  private JsseSocketExample() {}

  /**
   * Runs the example: {@code web} calls {@code db} once and prints the echo.
   *
   * @param args the data directory of the agent's embedded server, such as {@code connect-data}
   * @throws Exception if the call fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: JsseSocketExample <data directory>");
    }
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build();
        EchoServer db = EchoServer.start(agent.service("db"))) {
      String reply = call(agent.service("web"), db.address(), "hello from web");
      System.out.println("db echoed: " + reply);
    }
  }

  /**
   * Connects to {@code db} as {@code web}, sends one line and returns db's echo of it.
   *
   * @param web the calling service
   * @param db the address of db's echo server
   * @param line the line to send, without a line break
   * @return the echo
   * @throws IOException if db refuses the call (a TLS alert), closes without answering, or does
   *     not answer within {@link #TIMEOUT_MILLIS}
   */
  public static String call(ConnectService web, InetSocketAddress db, String line)
      throws IOException {
    try (SSLSocket socket = (SSLSocket) web.clientSslContext("db").getSocketFactory()
        .createSocket()) {
      socket.connect(db, TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write((line + "\n").getBytes(UTF_8));
      out.flush();
      // A refused client learns it here, from db's alert, even though its handshake "succeeded".
      String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))
          .readLine();
      if (reply == null) {
        throw new SocketException("db closed the connection without answering");
      }
      return reply;
    }
  }

  /**
   * A line-echo server for one service on 127.0.0.1 and an ephemeral port, serving one
   * connection at a time on a thread of its own.
   */
  public static final class EchoServer implements AutoCloseable {
    private final SSLServerSocket listener;
    private final Thread acceptor;

    private EchoServer(SSLServerSocket listener) {
      this.listener = listener;
      this.acceptor = new Thread(this::acceptLoop, "echo-server");
      acceptor.setDaemon(true);
    }

    /**
     * Starts serving with {@code service}'s server context, which requires and authorizes a
     * client certificate on every connection.
     *
     * @param service the serving service, such as {@code db}
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    public static EchoServer start(ConnectService service) throws IOException {
      SSLServerSocket listener = (SSLServerSocket) service.serverSslContext()
          .getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      EchoServer server = new EchoServer(listener);
      server.acceptor.start();
      return server;
    }

    /** Returns the address to call: 127.0.0.1 and the port the server was given. */
    public InetSocketAddress address() {
      return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
          socket.setSoTimeout(TIMEOUT_MILLIS);
          echo(socket);
        } catch (IOException e) {
          // A refused handshake or a vanished client ends that connection only; the server's
          // trust manager has already told db's handshake listeners why.
        }
      }
    }

    private static void echo(SSLSocket socket) throws IOException {
      // The first read runs the handshake; a caller the intentions deny fails it right here.
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
      OutputStream out = socket.getOutputStream();
      for (String line; (line = in.readLine()) != null; ) {
        out.write((line + "\n").getBytes(UTF_8));
        out.flush();
      }
    }

    /**
     * Stops accepting and waits up to {@link #TIMEOUT_MILLIS} for the serving thread to end.
     *
     * @throws IOException if the listening socket fails to close
     */
    @Override
    public void close() throws IOException {
      listener.close();
      try {
        acceptor.join(TIMEOUT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
