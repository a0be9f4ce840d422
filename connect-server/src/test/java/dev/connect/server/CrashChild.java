package dev.connect.server;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import java.nio.file.Path;

/**
 * The process {@link KillDuringWritesTest} kills: it opens a data directory and writes to it as
 * fast as it can, reporting each write only after it returned, so that everything reported is
 * known to be durable. Stops by itself after a bounded number of writes.
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Runs the writer.
   *
   * @param args the data directory
   * @throws Exception on any failure, which the parent sees as a missing report
   */
  public static void main(String[] args) throws Exception {
    System.out.println("STARTING");
    System.out.flush();
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(Path.of(args[0])).open()) {
      CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
      System.out.println("READY " + roots.activeRootId());
      System.out.flush();
      ServiceId web = ServiceId.of(roots.trustDomain(), "dc1", "web");
      for (int i = 0; i < 2_000; i++) {
        if (i % 4 == 0) {
          System.out.println("ROTATED " + server.rotateRoot().activeRootId());
        } else {
          long index = server.signLeaf(LeafRequests.csrPem(web, LeafRequests.newKeyPair()),
              QueryOptions.defaults()).join().index();
          System.out.println("LEAF " + index);
        }
        System.out.flush();
      }
    }
    System.out.println("DONE");
  }
}
