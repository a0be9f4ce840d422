package dev.connect.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.cache.Leaf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An application in a JVM of its own: one service with a {@link ConnectAgent} over the agent the
 * {@code CONSUL_*} environment names ({@link ConnectAgent.Builder#consul()}). {@code db} serves a
 * mutual-TLS echo on 127.0.0.1; {@code web} calls it when told. Driven by lines on stdin, one
 * answer line on stdout each; exits when stdin closes (so it dies with the test that started it).
 *
 * <ul>
 *   <li>{@code READY <name> <port> <leaf>} once the leaf is there (port 0 for {@code web});
 *   <li>{@code CALL <upstream> <port>}: one new connection and handshake, one echo: {@code OK}
 *       or {@code FAIL <reasons>};
 *   <li>{@code LEAF}: {@code LEAF <leaf>}, the leaf served now.
 * </ul>
 *
 * <p>A leaf is described as {@code <serial> <sha-256 of the public key> <authority key id>}.
 */
public final class ServiceMain {
  /** A hang guard on every socket; never the thing a test asserts. */
  static final int SOCKET_TIMEOUT_MS = 10_000;

  private ServiceMain() {}

  /**
   * Runs the service named by {@code args[0]} until stdin closes.
   *
   * @param args the service name, {@code web} or {@code db}
   * @throws Exception if the agent cannot be built or the leaf fetched
   */
  public static void main(String[] args) throws Exception {
    String name = args[0];
    PrintStream out = new PrintStream(System.out, true, UTF_8);
    try (ConnectAgent agent = ConnectAgent.builder().consul()
        .caChangeJitter(Duration.ofSeconds(1)).build()) {
      ConnectService service = agent.service(name);
      Leaf first = service.leaf();
      SSLServerSocket server = null;
      if (name.equals("db")) {
        server = (SSLServerSocket) service.serverSslContext().getServerSocketFactory()
            .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SSLServerSocket s = server;
        Thread echo = new Thread(() -> serve(s), "echo");
        echo.setDaemon(true);
        echo.start();
      }
      out.println("READY " + name + " " + (server == null ? 0 : server.getLocalPort()) + " "
          + describe(first));
      Map<String, SSLContext> clients = new HashMap<>();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] w = line.split(" ");
        switch (w[0]) {
          case "CALL" -> out.println(call(
              clients.computeIfAbsent(w[1], service::clientSslContext), Integer.parseInt(w[2])));
          case "LEAF" -> out.println("LEAF " + describe(service.leaf()));
          default -> out.println("UNKNOWN " + line);
        }
      }
      if (server != null) {
        server.close();
      }
    }
  }

  /** Echoes each line of each connection, one connection at a time. */
  private static void serve(SSLServerSocket server) {
    while (!server.isClosed()) {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        s.setSoTimeout(SOCKET_TIMEOUT_MS);
        try {
          s.startHandshake();
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
          OutputStream o = s.getOutputStream();
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            o.write((line + "\n").getBytes(UTF_8));
            o.flush();
          }
        } catch (IOException | RuntimeException refused) {
          System.err.println("db refused a connection: " + messages(refused));
        }
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        System.err.println("db accept failed: " + e);
      }
    }
  }

  /** One connection: handshake, a line out, the echo back. */
  private static String call(SSLContext context, int port) {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(
        InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(SOCKET_TIMEOUT_MS);
      s.startHandshake();
      s.getOutputStream().write("ping\n".getBytes(UTF_8));
      s.getOutputStream().flush();
      String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8))
          .readLine();
      return "ping".equals(reply) ? "OK" : "FAIL closed without an echo: " + reply;
    } catch (IOException | RuntimeException e) {
      return "FAIL " + messages(e);
    }
  }

  static String describe(Leaf leaf) throws NoSuchAlgorithmException {
    X509Certificate cert = leaf.certificate().certificate();
    HexFormat hex = HexFormat.of();
    byte[] aki = cert.getExtensionValue("2.5.29.35");
    return leaf.certificate().serialNumberHex() + " "
        + hex.formatHex(MessageDigest.getInstance("SHA-256")
            .digest(cert.getPublicKey().getEncoded())) + " "
        + (aki == null ? "-" : hex.formatHex(aki));
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return b.toString().replace('\n', ' ');
  }
}
