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
 * The options every command on an existing data directory shares: where it is, whether ACLs are
 * enforced, and the token to act with.
 */
final class ServerOptions {
  @Option(names = "--data-dir", paramLabel = "<dir>", required = true,
      description = "Data directory of an embedded server.")
  Path dataDir;

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  private boolean aclCommand;

  @Option(names = "--token", paramLabel = "<secret>",
      description = "ACL token secret to act with (default: $CONNECT_HTTP_TOKEN, else anonymous).")
  String token;

  @Option(names = "--acls", description = "Enforce ACLs, as a server started with ACLs on would"
      + " (always on for 'connect acl').")
  boolean aclsEnabled;

  @Option(names = "--default-policy", paramLabel = "allow|deny",
      description = "ACL default policy; needs --acls (default: allow).")
  String defaultPolicy;

  /** Opens the directory, which must already hold a CA; never creates one. */
  EmbeddedServer open() throws IOException {
    return open(aclsEnabled);
  }

  /**
   * Opens the directory with ACLs enforced or not; ACL management commands always enforce them,
   * since managing tokens only means something where they are checked.
   */
  EmbeddedServer open(boolean enforceAcls) throws IOException {
    aclCommand = enforceAcls && !aclsEnabled;
    if (defaultPolicy != null && !enforceAcls) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--default-policy has no effect without --acls");
    }
    if (!Files.exists(dataDir.resolve("state.json"))) {
      throw new DataDirectoryException(dataDir, "holds no Connect CA (no state.json); run"
          + " 'connect demo --data-dir " + dataDir + "' to create one");
    }
    return EmbeddedServer.builder().dataDirectory(dataDir).aclsEnabled(enforceAcls)
        .aclDefaultPolicy(AclDefaultPolicy.parse(defaultPolicy == null ? "allow" : defaultPolicy))
        .open();
  }

  /** Returns the query options carrying the token, if one was given. */
  QueryOptions query() {
    if (token != null && !aclsEnabled && !aclCommand) {
      // A token that is silently not checked misleads whoever scripts with it.
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--token has no effect without --acls: this command would not check it");
    }
    String secret = token != null ? token : System.getenv("CONNECT_HTTP_TOKEN");
    return secret == null || secret.isEmpty() ? QueryOptions.defaults()
        : QueryOptions.builder().token(secret).build();
  }
}
