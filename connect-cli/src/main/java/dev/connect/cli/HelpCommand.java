package dev.connect.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connect help [<command>...]}: the help of a command at any depth, such as {@code connect
 * help acl token create}; picocli's own help command looks at the first name only.
 */
@Command(name = "help", helpCommand = true,
    description = "Show the help of a command, such as: connect help acl token create.")
final class HelpCommand implements Runnable {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "<command>", arity = "0..*",
      description = "The command, with its subcommands.")
  List<String> path = new ArrayList<>();

  @Override
  public void run() {
    CommandLine command = spec.parent().commandLine();
    List<String> walked = new ArrayList<>();
    for (String name : path) {
      CommandLine sub = command.getSubcommands().get(name);
      walked.add(name);
      if (sub == null || sub.getCommandSpec().helpCommand()) {
        throw new ParameterException(spec.commandLine(), "unknown command: connect "
            + String.join(" ", walked) + (command.getSubcommands().isEmpty() ? ""
            : " (" + command.getCommandName() + " has: " + String.join(", ",
                command.getSubcommands().keySet().stream()
                    .filter(n -> !n.equals("help")).toList()) + ")"));
      }
      command = sub;
    }
    command.usage(spec.commandLine().getOut());
  }
}
