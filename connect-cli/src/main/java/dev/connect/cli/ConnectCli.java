package dev.connect.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code connect} command: the entry point of {@code connect.jar}.
 *
 * <p>Errors, usage errors included, are printed as one line naming the problem, with exit status
 * 1, as Consul's CLI does; {@code intention check} exits with 2 when it denies.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    versionProvider = ConnectCli.Version.class,
    description = "Connect for Java: identity-based mutual TLS, in-process.",
    subcommands = {DemoCommand.class, CaCommand.class, IntentionCommand.class, AclCommand.class,
        CommandLine.HelpCommand.class})
public final class ConnectCli {

  private ConnectCli() {}

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command line, writing to the given streams, and returns the exit status.
   *
   * @param out where results go
   * @param err where errors go
   * @param args the arguments
   * @return 0 on success, 1 on a failure or a usage error, 2 when {@code intention check} denies
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new ConnectCli());
    cli.setOut(out);
    cli.setErr(err);
    // Usage errors exit with 1, as Consul's CLI does; 2 is left to 'intention check' (denied).
    cli.setParameterExceptionHandler((e, args2) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return 1;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CommandLine.ParameterException p) {
        commandLine.getErr().println("error: " + p.getMessage());
        return 1;
      }
      commandLine.getErr().println("error: " + describe(e));
      return 1;
    });
    return cli.execute(args);
  }

  private static String describe(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ConnectCli.class.getPackage().getImplementationVersion();
      return new String[] {"connect " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
