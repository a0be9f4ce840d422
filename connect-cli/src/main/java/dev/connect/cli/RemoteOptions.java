package dev.connect.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options that point an admin command at a running agent ({@code connect agent} or a Consul
 * agent) over Consul's HTTP API, named as Consul's CLI names them. Each falls back to Consul's
 * environment variable ({@code CONSUL_HTTP_ADDR}, {@code CONSUL_HTTP_TOKEN_FILE}, {@code
 * CONSUL_CACERT}), and only when no {@code --data-dir} is given: the directory of a stopped
 * server is an explicit choice that no variable overrides.
 */
final class RemoteOptions {
  @Option(names = "--http-addr", paramLabel = "<addr>",
      description = "Address of a running agent (connect agent or Consul): host:port,"
          + " http://host:port or https://host:port. Default when no --data-dir is given:"
          + " $CONSUL_HTTP_ADDR, else 127.0.0.1:8500.")
  String httpAddr;

  @Option(names = "--token-file", paramLabel = "<file>",
      description = "File holding the ACL token secret (default with an agent:"
          + " $CONSUL_HTTP_TOKEN_FILE, else $CONSUL_HTTP_TOKEN).")
  Path tokenFile;

  @Option(names = "--ca-file", paramLabel = "<file>",
      description = "PEM CA bundle that verifies an https:// agent (default: $CONSUL_CACERT);"
          + " 'connect ca roots --pem' prints connect agent's.")
  Path caFile;
}
