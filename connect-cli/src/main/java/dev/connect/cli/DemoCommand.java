package dev.connect.cli;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code connect demo}: opens (or creates) an embedded server's data directory, shows its trust
 * domain and active root, issues leaves for {@code web} and {@code db}, verifies each with the
 * JDK's PKIX validator, and shows the intention decision each way: web may call db, db may not
 * call web.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Create or reopen a CA, issue leaves for web and db, verify them, and"
        + " authorize web -> db (allowed) and db -> web (denied).")
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
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("connect-demo-") : dataDir;
    try {
      return run(dir, temporary);
    } finally {
      if (temporary) {
        deleteRecursively(dir); // it holds a CA key: do not leave one behind per run
      }
    }
  }

  private int run(Path dir, boolean temporary) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    boolean existed = Files.exists(dir.resolve("state.json"));
    Clock clock = Clock.systemUTC();
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir)
        .datacenter(datacenter).clock(clock).open()) {
      CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
      out.printf("Data directory: %s (%s)%n", dir,
          temporary ? "temporary, removed on exit" : existed ? "reopened" : "created");
      out.printf("Trust domain:   %s%n", roots.trustDomain());
      out.printf("Datacenter:     %s%n", server.datacenter());
      out.println();
      out.println("Active root:");
      Output.root(out, roots.active());
      Map<String, IssuedCertificate> leaves = new LinkedHashMap<>();
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
        leaves.put(name, leaf);
      }
      showDecisions(out, server, leaves);
    }
    return 0;
  }

  private static void addIfMissing(EmbeddedServer server, String source, String destination,
      IntentionAction action, String description) {
    IntentionTarget s = IntentionTarget.parse(source);
    IntentionTarget d = IntentionTarget.parse(destination);
    if (server.intention(s, d, QueryOptions.defaults()).isEmpty()) {
      server.upsertIntention(s, d, action, description, QueryOptions.defaults());
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Adds, where missing, web => db allow and db => web deny, then authorizes each leaf against the other. */
  private static void showDecisions(PrintWriter out, EmbeddedServer server,
      Map<String, IssuedCertificate> leaves) {
    QueryOptions q = QueryOptions.defaults();
    // Only where missing: an operator's own intention for these pairs is never overwritten.
    addIfMissing(server, "web", "db", IntentionAction.ALLOW, "demo: web may call db");
    addIfMissing(server, "db", "web", IntentionAction.DENY, "demo: db may not call web");
    out.println();
    out.println("Intentions:");
    for (Intention i : server.intentions(q).join().value()) {
      out.printf("  %s => %s  %s  (precedence %d, \"%s\")%n", i.source(), i.destination(),
          i.action().wireName(), i.precedence(), i.description());
    }
    for (String[] pair : new String[][] {{"web", "db"}, {"db", "web"}}) {
      IssuedCertificate client = leaves.get(pair[0]);
      Decision d = server.authorize(pair[1], client.service().toString(),
          client.serialNumberHex(), q);
      out.println();
      out.printf("Authorize %s -> %s: %s%n", pair[0], pair[1], d.allowed() ? "ALLOWED" : "DENIED");
      out.printf("  Reason:       %s%n", d.reason());
    }
  }
}
