package dev.connect.cli;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.EmbeddedServer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connect init --data-dir <dir> [--acls [--default-policy deny]]}: creates a data
 * directory (a new trust domain and root CA, no intentions, no tokens) and records whether ACLs
 * are on and their default policy, which every later opener enforces.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Create a data directory: a new trust domain with its root CA, no intentions"
        + " and no tokens. Whether ACLs are on, and their default policy, are recorded in it and"
        + " enforced by every later opener.")
final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "<dir>", required = true,
      description = "Directory to create (or an empty one), owner-only.")
  Path dataDir;

  @Option(names = "--acls", description = "Turn ACLs on (default: off). Then run 'connect acl"
      + " bootstrap' for the first management token.")
  boolean acls;

  @Option(names = "--default-policy", paramLabel = "allow|deny",
      description = "ACL default policy; needs --acls (default: allow, as in Consul).")
  String defaultPolicy;

  @Override
  public Integer call() throws Exception {
    if (defaultPolicy != null && !acls) {
      throw new ParameterException(spec.commandLine(),
          "--default-policy " + defaultPolicy + " needs --acls: without ACLs nothing is denied");
    }
    AclDefaultPolicy policy;
    try {
      policy = AclDefaultPolicy.parse(defaultPolicy == null ? "allow" : defaultPolicy);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "--default-policy must be allow or deny, not " + defaultPolicy);
    }
    if (Files.exists(dataDir.resolve("state.json"))) {
      throw new DataDirectoryException(dataDir, "already holds a Connect data directory;"
          + " init creates a new one and never replaces a CA");
    }
    if (Files.exists(dataDir)) {
      if (!Files.isDirectory(dataDir)) {
        throw new DataDirectoryException(dataDir, "exists and is not a directory");
      }
      try (Stream<Path> entries = Files.list(dataDir)) {
        if (entries.findAny().isPresent()) {
          throw new DataDirectoryException(dataDir, "is not empty and holds no Connect data"
              + " directory (no state.json); give a new or empty directory");
        }
      }
    }
    EmbeddedServer.Builder b = EmbeddedServer.builder().dataDirectory(dataDir).aclsEnabled(acls);
    if (acls) {
      b.aclDefaultPolicy(policy);
    }
    try (EmbeddedServer server = b.open()) {
      CaRoots roots = server.roots(QueryOptions.defaults()).join().value();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Created %s%n", dataDir);
      out.printf("Trust domain: %s%n", roots.trustDomain());
      out.printf("Active root:  %s%n", roots.activeRootId());
      out.printf("ACLs:         %s%n", acls ? "enabled, default policy " + policy.text()
          : "disabled");
      if (acls) {
        out.printf("Next: connect acl bootstrap --data-dir %s%n", dataDir);
      }
    }
    return 0;
  }
}
