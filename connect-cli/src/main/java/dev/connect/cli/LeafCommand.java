package dev.connect.cli;

import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoots;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.ServiceId;
import dev.connect.core.ServiceNames;
import dev.connect.core.Certificates;
import dev.connect.consul.AgentSelfWire;
import dev.connect.core.IssuedLeaf;
import dev.connect.server.AtomicFiles;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Optional;
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
 *
 * <p>Against a running agent the key is made here whenever the agent offers {@code connect
 * agent}'s CSR endpoint (its {@code GET /v1/agent/self} names it in {@code Meta}), so that only
 * the CSR crosses the wire; a Consul agent offers none, and its leaf endpoint makes the key and
 * sends it back. The command prints which happened.
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
    String needs = "service:write on \"" + service + "\"";
    try (Target t = server.target()) {
      QueryOptions query = t.query();
      CaRoots roots = t.await(t.backend().roots(query), "").value();
      IssuedCertificate leaf;
      PrivateKey key;
      String made;
      Optional<String> csrPath = Optional.empty();
      String datacenter;
      if (t.local().isPresent()) {
        datacenter = t.local().get().datacenter();
        csrPath = Optional.of("the data directory's CA");
      } else {
        AgentSelfWire self = t.agentSelf().orElseThrow();
        datacenter = self.config() == null ? null : self.config().datacenter();
        csrPath = t.csrSignPath();
      }
      if (csrPath.isPresent()) {
        if (datacenter == null || datacenter.isEmpty()) {
          throw new IllegalStateException("GET /v1/agent/self of " + t.remote().get().address()
              + " names no Config.Datacenter, which the leaf's SPIFFE ID needs");
        }
        ServiceId id = ServiceId.of(roots.trustDomain(), datacenter, service);
        KeyPair keys = LeafRequests.newKeyPair();
        String csr = LeafRequests.csrPem(id, keys);
        leaf = t.local().isPresent()
            ? t.await(t.local().get().signLeaf(csr, query), needs).value()
            : t.await(t.remote().get().signLeaf(csr, query), needs).value();
        key = keys.getPrivate();
        made = "Key made here; only its CSR went to " + csrPath.get();
      } else {
        // Consul's own agent makes the key and sends it back (use https:// beyond loopback).
        IssuedLeaf issued = t.await(t.remote().get().issueLeaf(service, query), needs).value();
        leaf = issued.certificate();
        key = issued.privateKey();
        made = "Key made by the agent: it offers no CSR endpoint, so Consul's"
            + " /v1/agent/connect/ca/leaf/" + service + " was used";
      }
      Files.createDirectories(out);
      // The chain before the key, so a watcher never pairs a new key with an old chain.
      write(out.resolve("ca.pem"), Certificates.toPem(roots.certificates()), FileMode.SHARED);
      write(out.resolve("cert.pem"), leaf.certPem(), FileMode.SHARED);
      write(out.resolve("key.pem"), LeafRequests.exportPrivateKeyPkcs8Pem(key),
          FileMode.OWNER_ONLY);
      spec.commandLine().getOut().printf("Wrote %s, %s (owner only) and %s%n",
          out.resolve("cert.pem"), out.resolve("key.pem"), out.resolve("ca.pem"));
      spec.commandLine().getOut().println(made);
      Output.leaf(spec.commandLine().getOut(), leaf);
    }
    return 0;
  }

  /** The server's crash-safe write: temporary file with its mode from creation, fsync, rename. */
  private static void write(Path target, String pem, FileMode mode) throws IOException {
    AtomicFiles.write(target, pem.getBytes(StandardCharsets.US_ASCII), mode);
  }
}
