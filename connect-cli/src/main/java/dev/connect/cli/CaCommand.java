package dev.connect.cli;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.server.EmbeddedServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code connect ca}: inspect and rotate the built-in CA of a data directory. */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "Inspect or rotate the built-in CA of a data directory.",
    subcommands = {CaCommand.Roots.class, CaCommand.Rotate.class})
final class CaCommand {

  private CaCommand() {}

  static void printRoots(PrintWriter out, CaRoots roots) {
    out.printf("Trust domain: %s%n", roots.trustDomain());
    out.printf("Active root:  %s%n", roots.activeRootId());
    for (CaRoot root : roots.roots()) {
      out.println();
      Output.root(out, root);
    }
  }

  /** {@code connect ca roots}: lists the roots, which one is active, and their validity. */
  @Command(name = "roots", mixinStandardHelpOptions = true,
      description = "List the trusted roots: ID (SHA-1 fingerprint), active flag, validity.")
  static final class Roots implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;

    @Override
    public Integer call() throws Exception {
      try (EmbeddedServer s = server.open()) {
        printRoots(spec.commandLine().getOut(), s.roots(server.query()).join().value());
      }
      return 0;
    }
  }

  /** {@code connect ca rotate}: makes a new root, cross-signed by the current one. */
  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Rotate to a new root, cross-signed by the current one"
          + " (needs operator:write when ACLs are on).")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;

    @Override
    public Integer call() throws Exception {
      try (EmbeddedServer s = server.open()) {
        printRoots(spec.commandLine().getOut(), s.rotateRoot(server.query()));
      }
      return 0;
    }
  }
}
