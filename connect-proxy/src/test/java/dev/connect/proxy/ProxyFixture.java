package dev.connect.proxy;

import dev.connect.agent.ConnectAgent;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent over an embedded server in a temporary directory, on {@link FakeTime} and a {@link
 * FakeScheduler}, and the proxies and applications a test starts, all closed by {@link #close()}
 * also when the test fails.
 */
final class ProxyFixture implements AutoCloseable {
  static final InetSocketAddress ANY_LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  /** Bounds every blocking read of a test client. */
  static final int READ_TIMEOUT_MS = 20_000;

  final FakeTime time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final FakeScheduler scheduler = FakeScheduler.on(time);
  final ConnectAgent agent;
  private final List<AutoCloseable> opened = new ArrayList<>();

  ProxyFixture(Path dir) throws IOException {
    agent = ConnectAgent.builder().dataDirectory(dir).clock(time).scheduler(scheduler)
        .caChangeJitter(java.time.Duration.ofSeconds(1)).build();
  }

  <T extends AutoCloseable> T open(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  EchoApp app(boolean closeAfterLine) {
    return open(new EchoApp(closeAfterLine));
  }

  /** A proxy for {@code service} whose public listener forwards to {@code app}. */
  ConnectProxy publicProxy(String service, EchoApp app) {
    return open(ConnectProxy.builder(agent.service(service))
        .publicListener(ANY_LOOPBACK, app.address()).start());
  }

  /** Sends {@code text}, ends its output, and reads everything until the other side ends. */
  static String exchange(InetSocketAddress address, String text) throws IOException {
    try (Socket s = new Socket(address.getAddress(), address.getPort())) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      return new String(readAll(s.getInputStream()), StandardCharsets.UTF_8);
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  @Override
  public void close() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    agent.close();
    scheduler.shutdownNow();
  }
}
