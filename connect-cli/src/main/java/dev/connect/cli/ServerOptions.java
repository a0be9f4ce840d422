package dev.connect.cli;

import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.QueryOptions;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command on an existing data directory shares: where it is, the ACL settings
 * the caller expects, and the token to act with. Whether ACLs are enforced is what the directory
 * records, never what the flags say: {@code --acls} and {@code --default-policy} only assert it,
 * and a flag that disagrees is refused, naming both.
 */
final class ServerOptions {
  @Option(names = "--data-dir", paramLabel = "<dir>", required = true,
      description = "Data directory of an embedded server.")
  Path dataDir;

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  private boolean aclsInForce;

  @Option(names = "--token", paramLabel = "<secret>",
      description = "ACL token secret to act with (default: $CONNECT_HTTP_TOKEN, else anonymous).")
  String token;

  @Option(names = "--acls", description = "Expect ACLs on: refused if the data directory records"
      + " them off. (The directory's own setting is always enforced.)")
  boolean aclsEnabled;

  @Option(names = "--default-policy", paramLabel = "allow|deny",
      description = "Expect this ACL default policy: refused if the data directory records"
          + " another.")
  String defaultPolicy;

  /** Opens the directory, which must already hold a CA; never creates one. */
  EmbeddedServer open() throws IOException {
    return open(false);
  }

  /**
   * Opens the directory with the ACL settings it records; ACL management commands need ACLs on,
   * since managing tokens only means something where they are checked.
   */
  EmbeddedServer open(boolean aclCommand) throws IOException {
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
  QueryOptions query() {
    if (token != null && !aclsInForce) {
      // A token that is silently not checked misleads whoever scripts with it.
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--token has no effect: " + dataDir + " records ACLs disabled, so no token is checked");
    }
    String secret = token != null ? token : System.getenv("CONNECT_HTTP_TOKEN");
    return secret == null || secret.isEmpty() || !aclsInForce ? QueryOptions.defaults()
        : QueryOptions.builder().token(secret).build();
  }
}
