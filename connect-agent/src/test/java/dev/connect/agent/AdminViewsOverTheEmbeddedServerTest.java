package dev.connect.agent;

import dev.connect.core.AclDefaultPolicy;

/** The admin views over the agent's own embedded server, ACLs on. */
class AdminViewsOverTheEmbeddedServerTest extends AdminViewsContract {
  @Override
  ConnectAgent agent(ConnectAgent.Builder builder) throws Exception {
    return builder.dataDirectory(dir).aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT).build();
  }
}
