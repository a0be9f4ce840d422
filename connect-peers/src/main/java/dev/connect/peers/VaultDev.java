package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A real Vault dev server ({@code vault server -dev}): in memory, initialized and unsealed, with
 * a KV version 2 engine at {@code secret/}, a generated root token, listening on 127.0.0.1 on a
 * port picked free (and its cluster port, one above).
 *
 * <pre>{@code
 * try (VaultDev vault = VaultDev.start()) {
 *   URI health = vault.address().resolve("/v1/sys/health");
 *   String token = vault.rootToken();                          // X-Vault-Token
 * }
 * }</pre>
 *
 * <p>{@link #start()} returns once {@code /v1/sys/health} answers 200 (initialized, unsealed,
 * active). The server runs with HOME set to its own directory and {@code -dev-no-store-token}, so
 * it never writes the developer's {@code ~/.vault-token}. {@link #close()} stops it by its PID
 * (SIGTERM, SIGKILL after a bound) and deletes its directory.
 *
 * <p>Thread-safe.
 */
public final class VaultDev extends PeerHandle implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final PeerGroup group;
  private final int port;
  private final String rootToken;
  private final Duration startupTime;

  private VaultDev(PeerGroup group, PeerProcess process, int port, String rootToken) {
    super(process);
    this.group = group;
    this.port = port;
    this.rootToken = rootToken;
    this.startupTime = group.elapsed();
  }

  /**
   * Starts a Vault dev server with {@link PeerBinaries#vault()} and waits until it is ready.
   *
   * @throws org.opentest4j.TestAbortedException when there is no Vault binary outside CI
   * @throws IllegalStateException when there is none under {@code CI=true}, or the server exits
   *     or is not ready within 60 s; the message quotes its log
   */
  public static VaultDev start() {
    return start(PeerBinaries.vault());
  }

  /**
   * Starts a Vault dev server with the given binary and waits until it is ready, retrying on
   * fresh ports (up to three starts) when another process took the picked port first.
   *
   * @throws IllegalStateException when the server exits or is not ready within 60 s; the
   *     message quotes its log
   */
  public static VaultDev start(Path vault) {
    requireNonNull(vault, "vault");
    String token = UUID.randomUUID().toString();
    return PeerGroup.startRetrying("connect-peers-vault-", group -> {
      int port = FreePorts.pickPair();
      PeerProcess process = group.start("vault server -dev", List.of(vault.toString(),
          "server", "-dev", "-dev-listen-address=127.0.0.1:" + port,
          "-dev-root-token-id=" + token, "-dev-no-store-token"), "vault.log");
      URI address = URI.create("http://127.0.0.1:" + port);
      PeerProcess.await("unsealed, active Vault at " + address, READY_TIMEOUT, List.of(process),
          () -> PeerHttp.get(address.resolve("/v1/sys/health"), "X-Vault-Token",
              Optional.empty()).filter(a -> a.status() == 200));
      return new VaultDev(group, process, port, token);
    });
  }

  /** Returns the API's address, {@code http://127.0.0.1:<port>}. */
  public URI address() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Returns the API's port on 127.0.0.1; the cluster port is the next one. */
  public int port() {
    return port;
  }

  /** Returns the root token, to send as {@code X-Vault-Token}. */
  public String rootToken() {
    return rootToken;
  }

  /** Returns how long the start took, from the first exec to ready (retries included). */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Seals Vault ({@code PUT /v1/sys/seal} with the root token): from then on it answers 503 and
   * serves no secret. A dev server cannot be unsealed again by this class.
   *
   * @throws IllegalStateException if Vault does not answer 204, naming the status and body
   */
  public void seal() {
    PeerHttp.Answer answer = PeerHttp.put(address().resolve("/v1/sys/seal"), "X-Vault-Token",
        Optional.of(rootToken), "").orElseThrow(() -> new IllegalStateException(
            "Vault at " + address() + " did not answer the seal request: " + process().describe()));
    if (answer.status() != 204) {
      throw new IllegalStateException("Vault at " + address() + " refused to seal: "
          + answer.status() + " " + answer.body());
    }
  }

  /** The directory holding the log and HOME of the server. */
  Path directory() {
    return group.directory();
  }

  /**
   * Stops the server by its PID (SIGTERM, then SIGKILL after 10 seconds), waits until it is
   * gone, and deletes its directory. Idempotent.
   *
   * @throws IllegalStateException if the process survives SIGKILL
   */
  @Override
  public void close() {
    group.close();
  }

  /** Prints the PID and the address; never the token. */
  @Override
  public String toString() {
    return "VaultDev[pid=" + pid() + ", address=" + address() + ", rootToken=<redacted>]";
  }
}
