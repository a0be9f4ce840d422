package dev.connect.cli;

import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code connect intention}: create, list, get, delete and check intentions. */
@Command(name = "intention", mixinStandardHelpOptions = true,
    description = "Manage intentions: which services may connect to which.",
    subcommands = {IntentionCommand.Create.class, IntentionCommand.ListIntentions.class,
        IntentionCommand.Get.class, IntentionCommand.Delete.class, IntentionCommand.Check.class})
final class IntentionCommand {
  private IntentionCommand() {}

  static void print(PrintWriter out, Intention i) {
    out.printf("Source:       %s%n", i.source());
    out.printf("Destination:  %s%n", i.destination());
    out.printf("Action:       %s%n", i.action().wireName());
    out.printf("Precedence:   %d%n", i.precedence());
    if (!i.id().isEmpty()) {
      out.printf("ID:           %s%n", i.id());
    }
    if (!i.description().isEmpty()) {
      out.printf("Description:  %s%n", i.description());
    }
    i.meta().forEach((k, v) -> out.printf("Meta:         %s=%s%n", k, v));
    i.createdAt().ifPresent(t -> out.printf("Created At:   %s%n", t));
    i.updatedAt().ifPresent(t -> out.printf("Updated At:   %s%n", t));
  }

  /** What a write needs, for a refusal that does not say (Consul 1.10's bare 403). */
  static String writeNeeds(String destination) {
    return "intention:write on \"" + destination + "\"";
  }

  /** What a read needs, for a refusal that does not say. */
  static String readNeeds(String destination) {
    return "intention:read on \"" + destination + "\"";
  }

  /** Source and destination, each {@code name}, {@code ns/name} or a {@code *} wildcard. */
  static final class Pair {
    @Parameters(index = "0", paramLabel = "<source>", description = "Source service, or *.")
    String source;

    @Parameters(index = "1", paramLabel = "<destination>",
        description = "Destination service, or *.")
    String destination;

    IntentionTarget source() {
      return IntentionTarget.parse(source);
    }

    IntentionTarget destination() {
      return IntentionTarget.parse(destination);
    }
  }

  /** Source and destination of one connection: names, never a {@code *} wildcard. */
  static final class Connection {
    @Parameters(index = "0", paramLabel = "<source>",
        description = "Source service, such as web (no wildcard).")
    String source;

    @Parameters(index = "1", paramLabel = "<destination>",
        description = "Destination service, such as db (no wildcard).")
    String destination;
  }

  /** {@code connect intention create}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an intention; allow unless --deny.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;
    @Mixin Pair pair;

    @Option(names = "--deny", description = "Deny instead of allow.")
    boolean deny;

    @Option(names = "--description", paramLabel = "<text>", defaultValue = "",
        description = "A description for people.")
    String description;

    @Option(names = "--replace",
        description = "Replace an existing intention for the same pair instead of failing.")
    boolean replace;

    @Override
    public Integer call() throws Exception {
      IntentionAction action = deny ? IntentionAction.DENY : IntentionAction.ALLOW;
      try (Target t = server.target()) {
        Intention created = t.await(replace
            ? t.intentions().intentionUpsert(pair.source(), pair.destination(), action,
                description, t.query())
            : t.intentions().intentionCreate(Intention.builder(pair.source(), pair.destination(),
                action).description(description).build(), t.query()),
            writeNeeds(pair.destination));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Created: %s => %s (%s)%n", created.source(), created.destination(),
            action.wireName());
        print(out, created);
      }
      return 0;
    }
  }

  /** {@code connect intention list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the intentions the token may read, most precedent first.")
  static final class ListIntentions implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target()) {
        List<Intention> all = t.await(t.intentions().intentions(t.query()), "intention:read")
            .value();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-36s  %-24s  %-6s  %-24s  %s%n", "ID", "Source", "Action", "Destination",
            "Precedence");
        for (Intention i : all) {
          out.printf("%-36s  %-24s  %-6s  %-24s  %d%n", i.id(), i.source(),
              i.action().wireName(), i.destination(), i.precedence());
        }
      }
      return 0;
    }
  }

  /** {@code connect intention get}. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Show the intention for a source and destination.")
  static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;
    @Mixin Pair pair;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target()) {
        Optional<Intention> found = t.await(t.intentions().intentionGetExact(pair.source(),
            pair.destination(), t.query()), readNeeds(pair.destination));
        if (found.isEmpty()) {
          spec.commandLine().getErr().printf("error: no intention %s => %s%n", pair.source(),
              pair.destination());
          return 1;
        }
        print(spec.commandLine().getOut(), found.get());
      }
      return 0;
    }
  }

  /** {@code connect intention delete}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete the intention for a source and destination.")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;
    @Mixin Pair pair;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target()) {
        boolean deleted = t.await(t.intentions().intentionDeleteExact(pair.source(),
            pair.destination(), t.query()), writeNeeds(pair.destination));
        spec.commandLine().getOut().printf("%s: %s => %s%n",
            deleted ? "Deleted" : "No such intention", pair.source(), pair.destination());
      }
      return 0;
    }
  }

  /**
   * {@code connect intention check}: exit status 0 when allowed, 2 when denied, 1 on error, as
   * Consul's CLI.
   */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Decide whether <source> may connect to <destination>, and why."
          + " Exit status 0 when allowed, 2 when denied, 1 on error.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;
    @Mixin Connection pair;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target()) {
        Decision d = t.await(t.intentions().intentionCheck(pair.source, pair.destination,
            t.query()), readNeeds(pair.destination));
        PrintWriter out = spec.commandLine().getOut();
        out.println(d.allowed() ? "Allowed" : "Denied");
        out.println(d.reason());
        if (!d.allowed()) {
          spec.commandLine().getErr().println("denied: " + d.reason());
          return ConnectCli.DENIED;
        }
        return 0;
      }
    }
  }
}
