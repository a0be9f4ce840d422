package dev.connect.it;

import dev.connect.agent.ConnectAgent;
import dev.connect.core.AclDefaultPolicy;
import java.nio.file.Path;

/** The agent's behaviour contract on the embedded server (ACLs on, default deny). */
class AgentBehaviourOnTheEmbeddedServerTest extends AgentBehaviourContract {
  private Path data;

  @Override
  void startServer(Path dir) throws Exception {
    data = dir;
  }

  @Override
  ConnectAgent newAgent() throws Exception {
    return ConnectAgent.builder().dataDirectory(data).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).initialManagementToken(MANAGEMENT).build();
  }

  @Override
  void stopServer() {
    // the agent owns the embedded server
  }
}
