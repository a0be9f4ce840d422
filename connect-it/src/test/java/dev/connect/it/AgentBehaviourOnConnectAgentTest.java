package dev.connect.it;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.http.ConnectHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The agent's behaviour contract on {@code connect agent}: a {@link ConnectHttpServer} in this
 * JVM on a free loopback port (ACLs on, default deny), reached through {@link ConsulBackend}.
 */
class AgentBehaviourOnConnectAgentTest extends AgentBehaviourContract {
  private ConnectAgent serverAgent;
  private ConnectHttpServer http;
  private ConsulBackend backend;

  @Override
  void startServer(Path dir) throws Exception {
    serverAgent = ConnectAgent.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).initialManagementToken(MANAGEMENT).build();
    http = ConnectHttpServer.builder(serverAgent)
        .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).start();
    backend = ConsulBackend.builder().environment(Map.of())
        .address("http://127.0.0.1:" + http.address().getPort()).build();
  }

  @Override
  ConnectAgent newAgent() throws Exception {
    return ConnectAgent.builder().consul(backend).build();
  }

  @Override
  void stopServer() throws Exception {
    try (AutoCloseable a = serverAgent; AutoCloseable h = http; AutoCloseable b = backend) {
      // the backend, the HTTP server, then the server's agent; each also when another fails
    }
  }
}
