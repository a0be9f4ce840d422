package dev.connect.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 that forwards every connection to a target port and records every
 * byte in both directions: what crossed the wire between an application and its agent, for
 * assertions such as "no private key". Plain HTTP on loopback, so the record is readable. Holds
 * at most {@link #LIMIT} bytes; past that it stops recording and says so.
 */
final class RecordingRelay implements AutoCloseable {
  static final int LIMIT = 16 << 20;

  private final ServerSocket server;
  private final int target;
  private final ByteArrayOutputStream record = new ByteArrayOutputStream();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean overflowed;

  RecordingRelay(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "relay-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Everything relayed so far, both directions interleaved by chunk, as ISO-8859-1 text. */
  String recorded() {
    if (overflowed) {
      throw new AssertionError("the relay recorded more than " + LIMIT + " bytes");
    }
    synchronized (record) {
      return record.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(in);
        open.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream i = from.getInputStream()) {
        OutputStream o = to.getOutputStream();
        for (int n = i.read(buf); n >= 0; n = i.read(buf)) {
          synchronized (record) {
            if (record.size() + n <= LIMIT) {
              record.write(buf, 0, n);
            } else {
              overflowed = true;
            }
          }
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException ignored) {
        // one side closed
      } finally {
        try {
          to.shutdownOutput();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
