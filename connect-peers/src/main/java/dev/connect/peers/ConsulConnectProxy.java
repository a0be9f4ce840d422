package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Consul's own built-in proxy ({@code consul connect proxy}) as a stopped-by-PID process, pointed
 * at an HTTP address of the caller's choosing (a real Consul agent, or {@code connect agent}).
 *
 * <pre>{@code
 * try (ConsulConnectProxy db = ConsulConnectProxy.start("127.0.0.1:" + agentPort,
 *          port -> List.of("-service", "db", "-service-addr", "127.0.0.1:" + echoPort,
 *              "-listen", "127.0.0.1:" + port))) {
 *   int publicPort = db.port();              // accepts TCP: the proxy is listening
 * }
 * }</pre>
 *
 * <p>{@link #start} picks a free loopback port, hands it to the caller's arguments, and returns
 * once something accepts TCP connections on it (the proxy's public listener or its upstream
 * listener), within 60 s. The process runs with HOME in its own directory and no CONSUL_*
 * variable of the caller: the agent is given with {@code -http-addr}. {@link #close()} stops it
 * by its PID (SIGTERM, SIGKILL after a bound) and deletes its directory.
 *
 * <p>Thread-safe.
 */
public final class ConsulConnectProxy extends PeerHandle implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final PeerGroup group;
  private final int port;

  private ConsulConnectProxy(PeerGroup group, PeerProcess process, int port) {
    super(process);
    this.group = group;
    this.port = port;
  }

  /**
   * Starts {@code consul connect proxy} with {@link PeerBinaries#consul()}.
   *
   * @param httpAddress the agent's HTTP address, {@code host:port} (Consul's {@code -http-addr})
   * @param arguments the proxy's arguments, given the free port it must listen on
   * @return the running proxy, listening on {@link #port()}
   * @throws org.opentest4j.TestAbortedException when there is no Consul binary outside CI
   * @throws IllegalStateException when the proxy exits or does not listen within 60 s; the
   *     message quotes its log
   */
  public static ConsulConnectProxy start(String httpAddress, IntFunction<List<String>> arguments) {
    return start(PeerBinaries.consul(), httpAddress, arguments);
  }

  /**
   * Starts {@code consul connect proxy} with the given binary, retrying on a fresh port (up to
   * three starts) when another process took the picked one first.
   *
   * @param consul the Consul binary
   * @param httpAddress the agent's HTTP address, {@code host:port}
   * @param arguments the proxy's arguments, given the free port it must listen on
   * @return the running proxy, listening on {@link #port()}
   * @throws IllegalStateException when the proxy exits or does not listen within 60 s
   */
  public static ConsulConnectProxy start(Path consul, String httpAddress,
      IntFunction<List<String>> arguments) {
    requireNonNull(consul, "consul");
    requireNonNull(httpAddress, "httpAddress");
    requireNonNull(arguments, "arguments");
    return PeerGroup.startRetrying("connect-peers-proxy-", group -> {
      int port = FreePorts.pick(1)[0];
      List<String> command = new ArrayList<>(List.of(consul.toString(), "connect", "proxy",
          "-http-addr=" + httpAddress, "-log-level=debug"));
      command.addAll(arguments.apply(port));
      PeerProcess process = group.start("consul connect proxy", command, "proxy.log");
      PeerProcess.await("consul connect proxy listening on 127.0.0.1:" + port, READY_TIMEOUT,
          List.of(process), () -> accepts(port) ? Optional.of(true) : Optional.empty());
      return new ConsulConnectProxy(group, process, port);
    });
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Returns the port on 127.0.0.1 the proxy was given and listens on. */
  public int port() {
    return port;
  }

  /**
   * Stops the proxy by its PID (SIGTERM, then SIGKILL after 10 seconds), waits until it is gone,
   * and deletes its directory. Idempotent.
   *
   * @throws IllegalStateException if the process survives SIGKILL
   */
  @Override
  public void close() {
    group.close();
  }

  /** Prints the PID and the port. */
  @Override
  public String toString() {
    return "ConsulConnectProxy[pid=" + pid() + ", port=" + port + "]";
  }
}
