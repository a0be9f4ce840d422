package dev.connect.bench;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.core.AclDefaultPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The heap an agent retains for callers' made-up tokens (issue #11, item 7): {@code
 * service("web", token)} with a new random token each time, over an embedded server with ACLs on,
 * measured as the used heap after full collections before and after the calls. Each handle is
 * dropped at once, as a caller passing through request tokens would. With {@code roots}, each
 * handle also reads its roots, which the server answers whatever the token.
 *
 * <p>Run: {@code java -Xmx1g -cp connect-bench/target/benchmarks.jar
 * dev.connect.bench.AgentHeapPerToken [calls] [handles|roots]}.
 */
public final class AgentHeapPerToken {
  private static final String MANAGEMENT = "5e0b7c1d-9a2f-4c3e-8b1a-0000000bench";

  private AgentHeapPerToken() {}

  /**
   * Makes {@code args[0]} handles (default 300,000) and prints the retained heap.
   *
   * @param args the number of calls, and {@code handles} (default) or {@code roots}
   * @throws Exception if the agent cannot start
   */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    boolean roots = args.length > 1 && args[1].equals("roots");
    Path dir = Files.createTempDirectory("agent-heap");
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).initialManagementToken(MANAGEMENT).build()) {
      agent.service("web", MANAGEMENT).roots(); // warm up
      long before = CacheHeapPerService.usedAfterGc();
      for (int i = 0; i < calls; i++) {
        ConnectService web = agent.service("web", UUID.randomUUID().toString());
        if (roots) {
          web.roots();
        }
      }
      long after = CacheHeapPerService.usedAfterGc();
      agent.cache().cleanUp();
      System.out.printf("calls=%d mode=%s cache entries=%s%n", calls,
          roots ? "roots" : "handles", agent.cache().stats().entries());
      System.out.printf("retained heap: %,d bytes total, %,d bytes per call%n", after - before,
          (after - before) / calls);
    } finally {
      CacheHeapPerService.deleteTree(dir);
    }
  }
}
