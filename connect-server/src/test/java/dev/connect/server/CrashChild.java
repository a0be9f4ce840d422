package dev.connect.server;

import dev.connect.ca.LeafRequests;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link KillDuringWritesTest} kills: it opens a data directory with ACLs on and
 * writes to it as fast as it can (root rotations, leaves, intentions, tokens), reporting each
 * write only after it returned, so that everything reported is known to be durable. Stops by
 * itself after a bounded number of writes.
 *
 * <p>Reports, one per line: {@code STARTING}, {@code READY <root>}, {@code ROTATED <root>}, {@code
 * LEAF <index>}, {@code INTENTION <id> <source> <index>}, {@code TOKEN <accessor> <secret>}, and
 * {@code DONE}. The secrets go to the parent only, which checks no file holds them.
 */
public final class CrashChild {
  /** The initial management token's secret; the parent opens with the same. */
  static final String MANAGEMENT = "5c0b4a3e-4f1d-4c6e-9a2b-7d8e9f0a1b2c";

  private CrashChild() {}

  /** Opens {@code dir} with the ACL settings the child uses. */
  static EmbeddedServer open(Path dir) throws IOException {
    return EmbeddedServer.builder().dataDirectory(dir).aclsEnabled(true)
        .aclDefaultPolicy(AclDefaultPolicy.DENY).initialManagementToken(MANAGEMENT).open();
  }

  /**
   * Runs the writer.
   *
   * @param args the data directory
   * @throws Exception on any failure, which the parent sees as a missing report
   */
  public static void main(String[] args) throws Exception {
    System.out.println("STARTING");
    System.out.flush();
    QueryOptions management = QueryOptions.builder().token(MANAGEMENT).build();
    try (EmbeddedServer server = open(Path.of(args[0]))) {
      CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
      System.out.println("READY " + roots.activeRootId());
      System.out.flush();
      ServiceId web = ServiceId.of(roots.trustDomain(), "dc1", "web");
      String run = Long.toHexString(System.nanoTime());
      for (int i = 0; i < 2_000; i++) {
        switch (i % 4) {
          case 0 -> System.out.println("ROTATED " + server.rotateRoot(management).activeRootId());
          case 1 -> {
            long index = server.signLeaf(LeafRequests.csrPem(web, LeafRequests.newKeyPair()),
                management).join().index();
            System.out.println("LEAF " + index);
          }
          case 2 -> {
            String source = "web-" + run + "-" + i;
            Intention created = server.createIntention(
                Intention.of(source, "db", IntentionAction.ALLOW), management);
            System.out.println("INTENTION " + created.id() + " " + source + " "
                + created.modifyIndex());
          }
          default -> {
            AclToken token = server.createToken("crash " + i, List.of(), management);
            System.out.println("TOKEN " + token.accessorId() + " " + token.revealSecretId());
          }
        }
        System.out.flush();
      }
    }
    System.out.println("DONE");
  }
}
