package dev.connect.cli;

import dev.connect.core.AclPolicy;
import dev.connect.core.AclPolicyLink;
import dev.connect.core.AclToken;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code connect acl}: bootstrap ACLs, create policies and tokens. */
@Command(name = "acl", mixinStandardHelpOptions = true,
    description = "Manage ACL policies and tokens.",
    subcommands = {AclCommand.Bootstrap.class, AclCommand.PolicyCommand.class,
        AclCommand.TokenCommand.class})
final class AclCommand {
  private AclCommand() {}

  static void printToken(PrintWriter out, AclToken token) {
    out.printf("AccessorID:   %s%n", token.accessorId());
    // The one time a secret is shown: at creation, as Consul does.
    out.printf("SecretID:     %s%n", token.revealSecretId());
    out.printf("Description:  %s%n", token.description());
    out.printf("Policies:     %s%n", token.policies().stream()
        .map(AclPolicyLink::name).collect(Collectors.joining(", ")));
  }

  /** {@code connect acl bootstrap}: creates the initial management token, once. */
  @Command(name = "bootstrap", mixinStandardHelpOptions = true,
      description = "Create the initial management token. Works once; the secret is shown once.")
  static final class Bootstrap implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ServerOptions server;

    @Override
    public Integer call() throws Exception {
      try (Target t = server.target(true)) {
        printToken(spec.commandLine().getOut(), t.await(t.acl().aclBootstrap(t.query()), ""));
      }
      return 0;
    }
  }

  /** {@code connect acl policy}. */
  @Command(name = "policy", mixinStandardHelpOptions = true, description = "Manage policies.",
      subcommands = {PolicyCommand.Create.class, PolicyCommand.ListPolicies.class})
  static final class PolicyCommand {
    private PolicyCommand() {}

    /** {@code connect acl policy create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a policy from rules in Consul's language (HCL or JSON).")
    static final class Create implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin ServerOptions server;

      @Option(names = "--name", required = true, paramLabel = "<name>",
          description = "Policy name: letters, digits, - and _.")
      String name;

      @Option(names = "--rules", required = true, paramLabel = "<rules>|@<file>",
          description = "The rules, or @ followed by a file holding them.")
      String rules;

      @Option(names = "--description", paramLabel = "<text>", defaultValue = "",
          description = "A description for people.")
      String description;

      @Override
      public Integer call() throws Exception {
        String text = rules.startsWith("@") ? readRules(Path.of(rules.substring(1))) : rules;
        try (Target t = server.target(true)) {
          AclPolicy policy = t.await(t.acl().policyCreate(name, description, text, t.query()),
              "acl:write");
          PrintWriter out = spec.commandLine().getOut();
          out.printf("ID:           %s%n", policy.id());
          out.printf("Name:         %s%n", policy.name());
          out.printf("Description:  %s%n", policy.description());
          out.printf("Rules:%n%s%n", policy.rulesText());
        }
        return 0;
      }

      private String readRules(Path file) {
        try {
          return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rules @"
              + file + ": cannot read the rules file: " + ConnectCli.describe(e));
        }
      }
    }

  /** {@code connect acl policy list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List policies.")
    static final class ListPolicies implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin ServerOptions server;

      @Override
      public Integer call() throws Exception {
        try (Target t = server.target(true)) {
          PrintWriter out = spec.commandLine().getOut();
          for (AclPolicy p : t.await(t.acl().policyList(t.query()), "acl:read")) {
            out.printf("%s  %s  %s%n", p.id(), p.name(), p.description());
          }
        }
        return 0;
      }
    }
  }

  /** {@code connect acl token}. */
  @Command(name = "token", mixinStandardHelpOptions = true, description = "Manage tokens.",
      subcommands = {TokenCommand.Create.class})
  static final class TokenCommand {
    private TokenCommand() {}

    /** {@code connect acl token create}: the secret is printed this once. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a token linked to policies. Its secret is shown once.")
    static final class Create implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin ServerOptions server;

      @Option(names = "--policy", required = true, paramLabel = "<name|id>",
          description = "A policy to link; repeat for several.")
      List<String> policies;

      @Option(names = "--description", paramLabel = "<text>", defaultValue = "",
          description = "A description for people.")
      String description;

      @Override
      public Integer call() throws Exception {
        try (Target t = server.target(true)) {
          printToken(spec.commandLine().getOut(),
              t.await(t.acl().tokenCreate(description, policies, t.query()), "acl:write"));
        }
        return 0;
      }
    }
  }
}
