package dev.connect.cli;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.internal.Certificates;
import dev.connect.server.EmbeddedServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code connect demo}: opens (or creates) an embedded server's data directory, shows its trust
 * domain and active root, issues leaves for {@code web} and {@code db}, and verifies each with the
 * JDK's PKIX validator.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Create or reopen a CA, issue leaves for web and db, and verify them.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "<dir>",
      description = "Data directory to create or reopen (default: a new temporary directory).")
  Path dataDir;

  @Option(names = "--datacenter", paramLabel = "<dc>", defaultValue = "dc1",
      description = "Datacenter the leaves are issued for (default: ${DEFAULT-VALUE}).")
  String datacenter;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("connect-demo-");
    boolean existed = Files.exists(dir.resolve("state.json"));
    Clock clock = Clock.systemUTC();
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir)
        .datacenter(datacenter).clock(clock).open()) {
      CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
      out.printf("Data directory: %s (%s)%n", dir, existed ? "reopened" : "created");
      out.printf("Trust domain:   %s%n", roots.trustDomain());
      out.printf("Datacenter:     %s%n", server.datacenter());
      out.println();
      out.println("Active root:");
      Output.root(out, roots.active());
      for (String name : List.of("web", "db")) {
        ServiceId id = ServiceId.of(roots.trustDomain(), server.datacenter(), name);
        KeyPair keyPair = LeafRequests.newKeyPair();
        IssuedCertificate leaf = server
            .signLeaf(LeafRequests.csrPem(id, keyPair), QueryOptions.defaults()).join().value();
        X509Certificate anchor = Pkix.verify(leaf, roots, clock.instant());
        out.println();
        out.printf("Leaf for %s:%n", name);
        Output.leaf(out, leaf);
        out.printf("  Verified:     PKIX chain to root %s%n", Certificates.sha1Fingerprint(anchor));
      }
    }
    return 0;
  }
}
