package dev.connect.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code connect} command: the entry point of {@code connect.jar}.
 *
 * <p>Exit status, as Consul's CLI: 0 on success; 1 when the command was refused or failed (a
 * permission denied, a missing CA, an unreachable agent), with a one-line reason on stderr, or
 * on bad usage (an unknown option, a missing argument), with the usage; 2 only from {@code
 * intention check}, when the connection would be denied.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
    versionProvider = ConnectCli.Version.class,
    description = "Connect for Java: identity-based mutual TLS, in-process.",
    subcommands = {InitCommand.class, AgentCommand.class, DemoCommand.class, CaCommand.class, LeafCommand.class,
        IntentionCommand.class, AclCommand.class, ProxyCommand.class,
        HelpCommand.class})
public final class ConnectCli {

  /** The exit status of a refused or failed command. */
  static final int FAILED = 1;
  /** The exit status of bad usage: 1, as Consul's CLI. */
  static final int USAGE = 1;
  /** The exit status of {@code intention check} when denied, as Consul's CLI. */
  static final int DENIED = 2;

  /** Where the {@code CONSUL_*} and {@code CONNECT_*} variables are read: a test passes its own. */
  private final Map<String, String> environment;

  private ConnectCli(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Returns the environment of the command line that {@code spec} belongs to. */
  static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
    return ((ConnectCli) spec.root().userObject()).environment;
  }

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
   * @return 0 on success, 1 when refused, failed or misused, 2 when {@code intention check}
   *     denies
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(System.getenv(), out, err, args);
  }

  /** {@link #run(PrintWriter, PrintWriter, String...)} with the environment given. */
  static int run(Map<String, String> environment, PrintWriter out, PrintWriter err,
      String... args) {
    CommandLine cli = new CommandLine(new ConnectCli(environment));
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, args2) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().usage(e.getCommandLine().getErr());
      return USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CommandLine.ParameterException p) {
        commandLine.getErr().println("error: " + p.getMessage());
        return USAGE;
      }
      commandLine.getErr().println("error: " + describe(e));
      return FAILED;
    });
    return cli.execute(args);
  }

  /**
   * Says what went wrong in one line. A file-system error's message is often only its path, so
   * the path is followed by what is wrong with it.
   */
  static String describe(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof java.nio.file.FileSystemException f
        && !(t instanceof dev.connect.server.DataDirectoryException)) {
      String what = t instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
          : t instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : t instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
          : t instanceof java.nio.file.NotDirectoryException ? "not a directory"
          : f.getReason() != null ? f.getReason() : t.getClass().getSimpleName();
      return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": "
          + what;
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
