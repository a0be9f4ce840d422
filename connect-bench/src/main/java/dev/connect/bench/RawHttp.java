package dev.connect.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Just enough HTTP/1.1 on plain sockets for the harnesses that time a server without a client
 * library's threads in the way ({@link WriteFanOutBench}, {@link AuthorizePoller}): a request's
 * bytes, and where an answer ends. Every answer must carry a {@code Content-Length}, which
 * Consul and {@code connect agent} send for the short bodies these harnesses read.
 */
final class RawHttp {
  private RawHttp() {}

  /**
   * Returns the bytes of a request with a JSON {@code body} (none if empty), ending with {@code
   * Connection: close} unless {@code keepAlive}.
   */
  static byte[] request(String method, String path, byte[] body, boolean keepAlive) {
    byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: bench\r\n"
        + (body.length > 0 ? "Content-Type: application/json\r\n" : "")
        + "Content-Length: " + body.length + "\r\n"
        + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(US_ASCII);
    byte[] out = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }

  /**
   * Returns the length of the answer at the start of {@code buffer}, head and body, once its
   * first {@code filled} bytes hold all of it; -1 until then.
   *
   * @throws IOException if the head is complete but has no {@code Content-Length}
   */
  static int answerLength(byte[] buffer, int filled) throws IOException {
    int end = headEnd(buffer, filled);
    if (end < 0) {
      return -1;
    }
    int length = -1;
    for (String line : new String(buffer, 0, end, US_ASCII).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    if (length < 0) {
      throw new IOException("an answer without a Content-Length: "
          + new String(buffer, 0, filled, US_ASCII));
    }
    int total = end + 4 + length;
    return filled >= total ? total : -1;
  }

  /** Returns the head of the answer at the start of {@code buffer}, without the blank line. */
  static String head(byte[] buffer, int filled) {
    int end = headEnd(buffer, filled);
    return new String(buffer, 0, end < 0 ? filled : end, US_ASCII);
  }

  /** Returns where the blank line that ends the head starts, or -1. */
  private static int headEnd(byte[] buffer, int filled) {
    for (int i = 0; i + 3 < filled; i++) {
      if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r'
          && buffer[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
