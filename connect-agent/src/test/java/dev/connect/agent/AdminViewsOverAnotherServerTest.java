package dev.connect.agent;

import dev.connect.core.DefaultIntentionPolicy;

/**
 * The admin views over {@link InMemoryServer}, a second implementation of the seam given to
 * {@link ConnectAgent.Builder#backend}: the same tests pass without the embedded server.
 */
class AdminViewsOverAnotherServerTest extends AdminViewsContract {
  @Override
  ConnectAgent agent(ConnectAgent.Builder builder) throws Exception {
    return builder.backend(new InMemoryServer("dc1", time, MANAGEMENT))
        .defaultIntentionPolicy(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).build();
  }
}
