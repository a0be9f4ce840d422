package dev.connect.bench;

import dev.connect.agent.ConnectAgent;
import dev.connect.proxy.ConnectProxy;
import dev.connect.proxy.Upstream;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A pair of our proxies in a JVM of their own, for {@link ProxyBenchmark}: {@code db}'s public
 * listener forwarding to the application, and {@code web}'s upstream listener dialing it, each on
 * one event-loop thread, over an embedded agent on a data directory. A sidecar runs in its own
 * process, as Consul's proxies do in the benchmark. Prints {@code ready <upstream port>} once
 * both listen, and stops when its standard input closes.
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.ProxyPairMain \
 *     <data-dir> <application port> <openssl|jdk> <spin µs>
 * }</pre>
 */
public final class ProxyPairMain {
  private ProxyPairMain() {}

  /**
   * Serves until standard input closes.
   *
   * @param args the data directory, the application's port on 127.0.0.1, the TLS provider,
   *     the event loops' spin in microseconds
   * @throws Exception if the proxies cannot start
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !(args[2].equals("openssl") || args[2].equals("jdk"))) {
      throw new IllegalArgumentException(
          "usage: ProxyPairMain <data-dir> <application port> <openssl|jdk> <spin µs>");
    }
    Duration spin = Duration.ofNanos(Long.parseLong(args[3]) * 1000);
    SslProvider provider = args[2].equals("jdk") ? SslProvider.JDK : SslProvider.OPENSSL;
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    InetSocketAddress app = new InetSocketAddress(InetAddress.getLoopbackAddress(),
        Integer.parseInt(args[1]));
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build();
        ConnectProxy db = ConnectProxy.builder(agent.service("db")).provider(provider)
            .ioThreads(1).eventLoopSpin(spin).publicListener(any, app).start();
        ConnectProxy web = ConnectProxy.builder(agent.service("web")).provider(provider)
            .ioThreads(1).eventLoopSpin(spin)
            .upstream(new Upstream("db", any, db.publicAddress())).start()) {
      ForkedMain.serveUntilStdinCloses(web.upstreamAddress("db").getPort());
    }
  }
}
