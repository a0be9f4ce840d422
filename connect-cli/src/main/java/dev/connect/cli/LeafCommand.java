package dev.connect.cli;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.ServiceNames;
import dev.connect.core.Certificates;
import dev.connect.server.EmbeddedServer;
import dev.connect.server.AtomicFiles;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code connect leaf <service> --out <dir>}: issues a leaf certificate for a service and writes
 * {@code cert.pem} (the leaf and any intermediates), {@code key.pem} (its PKCS#8 private key,
 * readable by the owner only) and {@code ca.pem} (every trusted root), for programs that read
 * certificates from files (an nginx, {@code openssl s_client}, a test).
 *
 * <p>Each file is written to a temporary file in the output directory, with its final
 * permissions from creation, forced to disk, and renamed into place, so a reader never sees half
 * a key and the key is never readable by others, even for a moment. The roots and the chain are
 * written before the key, so a watcher never pairs a new key with an old chain.
 */
@Command(name = "leaf", mixinStandardHelpOptions = true,
    description = "Issue a leaf certificate for <service> and write cert.pem, key.pem (owner"
        + " only) and ca.pem into --out (needs service:write on <service> when ACLs are on).")
final class LeafCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ServerOptions server;

  @Parameters(index = "0", paramLabel = "<service>", description = "Service name, such as web.")
  String service;

  @Option(names = "--out", paramLabel = "<dir>", required = true,
      description = "Directory to write cert.pem, key.pem and ca.pem into (created if missing).")
  Path out;

  @Override
  public Integer call() throws Exception {
    ServiceNames.check(service);
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--out " + out + " is not a directory: it is where cert.pem, key.pem and ca.pem go");
    }
    try (EmbeddedServer s = server.open()) {
      QueryOptions query = server.query();
      ServiceId id = ServiceId.of(s.trustDomain().trustDomain(), s.datacenter(), service);
      KeyPair keys = LeafRequests.newKeyPair();
      IssuedCertificate leaf = s.signLeaf(LeafRequests.csrPem(id, keys), query).join().value();
      CaRoots roots = s.roots(query).join().value();
      Files.createDirectories(out);
      // The chain before the key, so a watcher never pairs a new key with an old chain.
      write(out.resolve("ca.pem"), Certificates.toPem(roots.certificates()), FileMode.SHARED);
      write(out.resolve("cert.pem"), leaf.certPem(), FileMode.SHARED);
      write(out.resolve("key.pem"), LeafRequests.exportPrivateKeyPkcs8Pem(keys.getPrivate()),
          FileMode.OWNER_ONLY);
      spec.commandLine().getOut().printf("Wrote %s, %s (owner only) and %s%n",
          out.resolve("cert.pem"), out.resolve("key.pem"), out.resolve("ca.pem"));
      Output.leaf(spec.commandLine().getOut(), leaf);
    }
    return 0;
  }

  /** The server's crash-safe write: temporary file with its mode from creation, fsync, rename. */
  private static void write(Path target, String pem, FileMode mode) throws IOException {
    AtomicFiles.write(target, pem.getBytes(StandardCharsets.US_ASCII), mode);
  }
}
