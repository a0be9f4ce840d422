package dev.connect.cli;

import dev.connect.consul.ConsulBackend;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every admin command shares: its one target, and the token to act with. The target
 * is either the data directory of a stopped server ({@code --data-dir}) or, as with Consul's CLI,
 * a running agent ({@code --http-addr}, else {@code CONSUL_HTTP_ADDR}, else {@code
 * 127.0.0.1:8500}); both at once is refused, naming both. With a directory, whether ACLs are
 * enforced is what the directory records, never what the flags say: {@code --acls} and {@code
 * --default-policy} only assert it, and a flag that disagrees is refused, naming both. A running
 * agent enforces its own settings.
 */
final class ServerOptions {
  @Option(names = "--data-dir", paramLabel = "<dir>",
      description = "Data directory of a stopped server, instead of a running agent.")
  Path dataDir;

  @Mixin RemoteOptions remote;

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  private boolean aclsInForce;

  @Option(names = "--token", paramLabel = "<secret>",
      description = "ACL token secret to act with (default with --data-dir: $CONNECT_HTTP_TOKEN;"
          + " with an agent: $CONSUL_HTTP_TOKEN_FILE, else $CONSUL_HTTP_TOKEN; else anonymous).")
  String token;

  @Option(names = "--acls", description = "Expect ACLs on: refused if the data directory records"
      + " them off. (The directory's own setting is always enforced.)")
  boolean aclsEnabled;

  @Option(names = "--default-policy", paramLabel = "allow|deny",
      description = "Expect this ACL default policy: refused if the data directory records"
          + " another.")
  String defaultPolicy;

  /** Returns the one target, for any command but the ACL ones. */
  Target target() throws IOException {
    return target(false);
  }

  /**
   * Returns the one target: the directory (which must already hold a CA; never created here) or
   * the running agent. ACL management commands need ACLs on in a directory, since managing
   * tokens only means something where they are checked; an agent says so itself.
   */
  Target target(boolean aclCommand) throws IOException {
    Map<String, String> env = ConnectCli.environment(spec);
    if (token != null && remote.tokenFile != null) {
      throw usage("--token and --token-file " + remote.tokenFile + " both give the token; give"
          + " one");
    }
    if (dataDir != null) {
      if (remote.httpAddr != null) {
        throw usage("--data-dir " + dataDir + " and --http-addr " + remote.httpAddr + " name two"
            + " targets; give --data-dir for a stopped server's directory or --http-addr for a"
            + " running agent");
      }
      if (remote.caFile != null) {
        throw usage("--ca-file " + remote.caFile + " has no effect with --data-dir " + dataDir
            + ": it verifies an https:// agent");
      }
      EmbeddedServer server = open(aclCommand);
      try {
        return Target.local(server, query(env));
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    if (aclsEnabled || defaultPolicy != null) {
      throw usage((aclsEnabled ? "--acls" : "--default-policy " + defaultPolicy) + " asserts"
          + " what a data directory records and needs --data-dir; a running agent enforces its"
          + " own ACL settings");
    }
    ConsulBackend.Builder b = ConsulBackend.builder().environment(env);
    if (remote.httpAddr != null) {
      try {
        b.address(remote.httpAddr);
      } catch (IllegalArgumentException e) {
        throw usage("--http-addr: " + e.getMessage().replaceFirst("^address ", ""));
      }
    }
    if (token != null) {
      if (token.isEmpty()) {
        throw usage("--token must not be empty");
      }
      b.token(token);
    }
    if (remote.tokenFile != null) {
      b.tokenFile(remote.tokenFile);
    }
    if (remote.caFile != null) {
      b.caCertificate(remote.caFile);
    }
    ConsulBackend backend = b.build();
    boolean defaulted = remote.httpAddr == null && env.get("CONSUL_HTTP_ADDR") == null;
    return Target.remote(backend, defaulted ? "no agent at the default address: start one"
        + " with 'connect agent --data-dir <dir>', name one with --http-addr or"
        + " CONSUL_HTTP_ADDR, or give --data-dir for a stopped server's directory" : "");
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * Opens the directory with the ACL settings it records; ACL management commands need ACLs on,
   * since managing tokens only means something where they are checked.
   */
  private EmbeddedServer open(boolean aclCommand) throws IOException {
    if (!Files.exists(dataDir.resolve("state.json"))) {
      throw new DataDirectoryException(dataDir, "holds no Connect CA (no state.json); run"
          + " 'connect init --data-dir " + dataDir + "' to create one");
    }
    EmbeddedServer.Builder b = EmbeddedServer.builder().dataDirectory(dataDir);
    if (aclsEnabled) {
      b.aclsEnabled(true);
    }
    if (defaultPolicy != null) {
      b.aclDefaultPolicy(AclDefaultPolicy.parse(defaultPolicy));
    }
    EmbeddedServer server;
    try {
      server = b.open();
    } catch (DataDirectoryException e) {
      // The builder's words, in the flags' words.
      throw new DataDirectoryException(e.path(), e.getMessage()
          .substring(e.path().toString().length() + 2)
          .replace("aclsEnabled was set to true", "--acls was given")
          .replace("aclDefaultPolicy was set to", "--default-policy is"), e);
    }
    aclsInForce = server.aclsEnabled();
    if (aclCommand && !aclsInForce) {
      server.close();
      throw new DataDirectoryException(dataDir, "records ACLs disabled, so there are no tokens"
          + " to manage. Create a data directory with ACLs on: 'connect init --data-dir <dir>"
          + " --acls [--default-policy deny]'");
    }
    return server;
  }

  /** Returns the query options carrying the token, if one was given; call after opening. */
  private QueryOptions query(Map<String, String> env) throws IOException {
    if (token == null && remote.tokenFile != null) {
      token = Files.readString(remote.tokenFile, StandardCharsets.UTF_8).strip();
    }
    if (token != null && !aclsInForce) {
      // A token that is silently not checked misleads whoever scripts with it.
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--token has no effect: " + dataDir + " records ACLs disabled, so no token is checked");
    }
    String secret = token != null ? token : env.get("CONNECT_HTTP_TOKEN");
    return secret == null || secret.isEmpty() || !aclsInForce ? QueryOptions.defaults()
        : QueryOptions.builder().token(secret).build();
  }
}
