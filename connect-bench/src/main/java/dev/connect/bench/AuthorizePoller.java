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
 * thread); here it is one write and one read on the polling thread. Not a general HTTP client:
 * it needs a {@code Content-Length} on every answer, which Consul and {@code connect agent} send
 * for these short bodies, and fails naming what it got otherwise.
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
    byte[] body = ("{\"Target\":\"" + target + "\",\"ClientCertURI\":\"" + clientCertUri + "\"}")
        .getBytes(UTF_8);
    byte[] head = ("POST /v1/agent/connect/authorize HTTP/1.1\r\nHost: " + server.getAuthority()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(UTF_8);
    request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
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
    int bodyStart = -1;
    int length = -1;
    boolean closeAfter = false;
    while (bodyStart < 0 || filled < bodyStart + length) {
      if (filled == buffer.length) {
        throw new IOException(where() + "answer longer than " + MAX_ANSWER + " bytes");
      }
      int n = in.read(buffer, filled, buffer.length - filled);
      if (n < 0) {
        throw new IOException(where() + "connection closed after " + filled + " bytes of answer");
      }
      filled += n;
      if (bodyStart < 0) {
        int end = headEnd(filled);
        if (end >= 0) {
          String head = new String(buffer, 0, end, UTF_8);
          String[] lines = head.split("\r\n");
          if (!lines[0].startsWith("HTTP/1.1 200 ")) {
            throw new IOException(where() + "answered \"" + lines[0] + "\"");
          }
          for (String line : lines) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
              length = Integer.parseInt(line.substring("content-length:".length()).strip());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
              closeAfter = true;
            }
          }
          if (length < 0) {
            throw new IOException(where() + "answer without a Content-Length: " + lines[0]);
          }
          bodyStart = end + 4;
        }
      }
    }
    if (filled > bodyStart + length) {
      throw new IOException(where() + (filled - bodyStart - length)
          + " bytes after the answer, which nothing asked for");
    }
    String body = new String(buffer, bodyStart, length, UTF_8);
    if (closeAfter) {
      close();
    }
    return body;
  }

  /** Returns where the blank line that ends the head starts, or -1. */
  private int headEnd(int filled) {
    for (int i = 0; i + 3 < filled; i++) {
      if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r'
          && buffer[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
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
