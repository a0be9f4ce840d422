package dev.connect.cli;

import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.Certificates;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code connect ca}: inspect and rotate the CA of a running agent or a data directory. */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "Inspect or rotate the CA of a running agent or a data directory.",
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

  /**
   * {@code connect ca roots}: lists the roots, which one is active, and their validity; with
   * {@code --pem}, prints only the PEM bundle of every trusted root, which is what a client needs
   * as {@code CONSUL_CACERT} or {@code --ca-file} (and {@code curl --cacert}).
   */
  @Command(name = "roots", mixinStandardHelpOptions = true,
      description = "List the trusted roots: ID (SHA-1 fingerprint), active flag, validity.")
  static final class Roots implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;

    @Option(names = "--pem", description = "Print only the PEM bundle of every trusted root"
        + " (for CONSUL_CACERT, --ca-file, curl --cacert).")
    boolean pem;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target()) {
        CaRoots roots = t.await(t.backend().roots(t.query()), "").value();
        if (pem) {
          spec.commandLine().getOut().print(Certificates.toPem(roots.certificates()));
        } else {
          printRoots(spec.commandLine().getOut(), roots);
        }
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
      try (Target t = server.target()) {
        // Against connect agent no key crosses the wire (ConsulBackend.caRotate).
        CaRoots roots = t.await(t.ca().caRotate(t.query()), "operator:write");
        printRoots(spec.commandLine().getOut(), roots);
      }
      return 0;
    }
  }
}
