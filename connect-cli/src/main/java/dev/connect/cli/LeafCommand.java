package dev.connect.cli;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.internal.Certificates;
import dev.connect.server.EmbeddedServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Set;
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
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");

  @Spec CommandSpec spec;
  @Mixin ServerOptions server;

  @Parameters(index = "0", paramLabel = "<service>", description = "Service name, such as web.")
  String service;

  @Option(names = "--out", paramLabel = "<dir>", required = true,
      description = "Directory to write cert.pem, key.pem and ca.pem into (created if missing).")
  Path out;

  @Override
  public Integer call() throws Exception {
    try (EmbeddedServer s = server.open()) {
      QueryOptions query = server.query();
      ServiceId id = ServiceId.of(s.trustDomain().trustDomain(), s.datacenter(), service);
      KeyPair keys = LeafRequests.newKeyPair();
      IssuedCertificate leaf = s.signLeaf(LeafRequests.csrPem(id, keys), query).join().value();
      CaRoots roots = s.roots(query).join().value();
      Files.createDirectories(out);
      // The chain before the key, so a watcher never pairs a new key with an old chain.
      write(out.resolve("ca.pem"), Certificates.toPem(roots.certificates()), PUBLIC);
      write(out.resolve("cert.pem"), leaf.certPem(), PUBLIC);
      write(out.resolve("key.pem"), LeafRequests.exportPrivateKeyPkcs8Pem(keys.getPrivate()),
          OWNER_ONLY);
      spec.commandLine().getOut().printf("Wrote %s, %s (owner only) and %s%n",
          out.resolve("cert.pem"), out.resolve("key.pem"), out.resolve("ca.pem"));
      Output.leaf(spec.commandLine().getOut(), leaf);
    }
    return 0;
  }

  /** Writes {@code text} next to {@code target} with {@code mode} from creation, then renames. */
  static void write(Path target, String text, Set<PosixFilePermission> mode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid()
        + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(mode));
    } catch (FileAlreadyExistsException e) {
      throw new IOException("cannot create " + tmp + ": it appeared while writing", e);
    } catch (UnsupportedOperationException e) {
      throw new IOException("cannot write " + target + " with owner-only permissions: "
          + dir + " is not on a POSIX file system", e);
    }
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
