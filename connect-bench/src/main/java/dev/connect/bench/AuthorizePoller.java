package dev.connect.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Asks a server's {@code POST /v1/agent/connect/authorize} over one kept-alive HTTP/1.1
 * connection on a plain blocking socket, for {@link PropagationBenchmark}'s view of the server's
 * own agent. That view has to be polled (the endpoint has no blocking form), and the poll runs
 * next to the propagation it is compared with, on the same two cores. Through the JDK {@code
 * HttpClient} each poll woke three threads (the caller, the client's selector and an executor
 * thread); here it is one write and one read on the polling thread, framed by {@link RawHttp}.
 */
final class AuthorizePoller implements AutoCloseable {
  private static final int MAX_ANSWER = 64 * 1024;

  private final URI server;
  private final byte[] request;
  private final int timeoutMillis;
  private final byte[] buffer = new byte[MAX_ANSWER];
  private Socket socket;

  /**
   * @param server the server's {@code http://host:port}
   * @param target the destination service
   * @param clientCertUri the source's SPIFFE ID
   * @param timeout the most one connect or read may take
   */
  AuthorizePoller(URI server, String target, String clientCertUri, Duration timeout) {
    this.server = server;
    this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    this.request = RawHttp.request("POST", "/v1/agent/connect/authorize", ("{\"Target\":\""
        + target + "\",\"ClientCertURI\":\"" + clientCertUri + "\"}").getBytes(UTF_8), true);
  }

  /**
   * Sends one request and returns the body of its answer.
   *
   * @throws IOException if the connection fails, the answer is not a 200 with a {@code
   *     Content-Length}, or it is longer than 64 KiB; the message names the server
   */
  String poll() throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(timeoutMillis);
      socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), timeoutMillis);
    }
    try {
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      return readAnswer(socket.getInputStream());
    } catch (IOException | RuntimeException e) {
      try {
        close(); // the next poll starts on a new connection
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private String readAnswer(InputStream in) throws IOException {
    int filled = 0;
    int total;
    while ((total = RawHttp.answerLength(buffer, filled)) < 0) {
      if (filled == buffer.length) {
        throw new IOException(where() + "answer longer than " + MAX_ANSWER + " bytes");
      }
      int n = in.read(buffer, filled, buffer.length - filled);
      if (n < 0) {
        throw new IOException(where() + "connection closed after " + filled + " bytes of answer");
      }
      filled += n;
    }
    if (filled > total) {
      throw new IOException(where() + (filled - total)
          + " bytes after the answer, which nothing asked for");
    }
    String head = RawHttp.head(buffer, filled);
    String status = head.lines().findFirst().orElse("");
    if (!status.startsWith("HTTP/1.1 200 ")) {
      throw new IOException(where() + "answered \"" + status + "\"");
    }
    int bodyStart = head.length() + 4;
    String body = new String(buffer, bodyStart, total - bodyStart, UTF_8);
    if (head.lines().map(l -> l.toLowerCase(Locale.ROOT))
        .anyMatch(l -> l.startsWith("connection:") && l.contains("close"))) {
      close();
    }
    return body;
  }

  private String where() {
    return "POST /v1/agent/connect/authorize at " + server + ": ";
  }

  @Override
  public void close() throws IOException {
    Socket s = socket;
    socket = null;
    if (s != null) {
      s.close();
    }
  }
}
