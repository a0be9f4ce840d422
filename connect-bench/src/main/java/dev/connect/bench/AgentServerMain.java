package dev.connect.bench;

import dev.connect.agent.ConnectAgent;
import dev.connect.http.ConnectHttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * {@code connect agent}'s server in a JVM of its own, for benchmarks that compare it with a
 * Consul agent in its own process: an embedded server on a data directory with the HTTP API on
 * 127.0.0.1, limits raised for one client holding many blocking queries. Prints {@code ready
 * <port>} once it serves, and stops when its standard input closes.
 *
 * <pre>{@code
 * java -cp connect-bench/target/benchmarks.jar dev.connect.bench.AgentServerMain <data-dir> <port>
 * }</pre>
 */
public final class AgentServerMain {
  private AgentServerMain() {}

  /**
   * Serves until standard input closes.
   *
   * @param args the data directory and the port (0 picks a free one)
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: AgentServerMain <data-dir> <port>");
    }
    try (ConnectAgent server = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build();
        ConnectHttpServer http = ConnectHttpServer.builder(server)
            .address(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])))
            .maxConnections(20_000).maxConnectionsPerClient(4096)
            .maxWaitingQueriesPerClient(4096).start()) {
      ForkedMain.serveUntilStdinCloses(http.address().getPort());
    }
  }
}
