package dev.connect.cli;

import dev.connect.agent.ConnectAgent;
import dev.connect.ca.vault.VaultCaProvider;
import dev.connect.ca.vault.VaultConfiguration;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code connect agent} options choosing the CA provider: {@code --ca-provider vault} with
 * the Vault settings in Consul's words. Mixed into {@link AgentCommand}.
 */
final class VaultOptions {
  @Option(names = "--ca-provider", paramLabel = "consul|vault", defaultValue = "consul",
      description = "CA provider of a new data directory: consul (built-in, default) or vault."
          + " An existing directory must be opened with the provider it was created with.")
  String caProvider;

  @Option(names = "--vault-addr", paramLabel = "<url>", defaultValue = "${env:VAULT_ADDR}",
      description = "Vault's address (Consul's Address), e.g. https://127.0.0.1:8200;"
          + " default: $VAULT_ADDR.")
  String address;

  @Option(names = "--vault-token", paramLabel = "<token>", defaultValue = "${env:VAULT_TOKEN}",
      description = "Vault token (Consul's Token); default: $VAULT_TOKEN, which keeps it out of"
          + " the process list.")
  String token;

  @Option(names = "--vault-root-pki-path", paramLabel = "<path>", defaultValue = "connect-root",
      description = "Root PKI mount (Consul's RootPKIPath; default: ${DEFAULT-VALUE}).")
  String rootPkiPath;

  @Option(names = "--vault-intermediate-pki-path", paramLabel = "<path>",
      defaultValue = "connect-intermediate",
      description = "Intermediate PKI mount (Consul's IntermediatePKIPath; default:"
          + " ${DEFAULT-VALUE}); <path>-2 is used too, for rotations.")
  String intermediatePkiPath;

  @Option(names = "--vault-ca-file", paramLabel = "<file>",
      description = "PEM CAs trusted for Vault's HTTPS certificate (Consul's CAFile).")
  Path caFile;

  @Option(names = "--vault-client-cert", paramLabel = "<file>",
      description = "PEM client certificate for Vault (Consul's CertFile); needs"
          + " --vault-client-key.")
  Path certFile;

  @Option(names = "--vault-client-key", paramLabel = "<file>",
      description = "PEM key of --vault-client-cert (Consul's KeyFile).")
  Path keyFile;

  /**
   * Sets the agent's CA provider from these options.
   *
   * @throws ParameterException naming the option at fault; never the token
   */
  void apply(ConnectAgent.Builder builder, CommandSpec spec) {
    switch (caProvider) {
      case "consul" -> {
        if (address != null && !address.isEmpty() && spec.commandLine().getParseResult()
            .hasMatchedOption("--vault-addr")) {
          throw new ParameterException(spec.commandLine(),
              "--vault-addr needs --ca-provider vault");
        }
      }
      case "vault" -> builder.caProvider(VaultCaProvider.factory(configuration(spec)));
      default -> throw new ParameterException(spec.commandLine(),
          "--ca-provider must be consul or vault, not " + caProvider);
    }
  }

  private VaultConfiguration configuration(CommandSpec spec) {
    if (address == null || address.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--ca-provider vault needs --vault-addr (or VAULT_ADDR)");
    }
    if (token == null || token.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--ca-provider vault needs --vault-token (or VAULT_TOKEN)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new ParameterException(spec.commandLine(),
          "--vault-client-cert and --vault-client-key go together");
    }
    try {
      VaultConfiguration.Builder b = VaultConfiguration.builder().address(address).token(token)
          .rootPkiPath(rootPkiPath).intermediatePkiPath(intermediatePkiPath);
      if (caFile != null) {
        b.caFile(caFile);
      }
      if (certFile != null) {
        b.clientCertificate(certFile, keyFile);
      }
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
