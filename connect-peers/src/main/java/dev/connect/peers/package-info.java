/**
 * Real Consul and Vault processes for the project's own tests: a Consul dev agent ({@link
 * dev.connect.peers.ConsulAgent}), a three-server Consul cluster ({@link
 * dev.connect.peers.ConsulCluster}), a Vault dev server ({@link dev.connect.peers.VaultDev}) and
 * Consul's own proxy against any agent ({@link dev.connect.peers.ConsulConnectProxy}).
 *
 * <p>Each is an {@link java.lang.AutoCloseable} started in a try-with-resources block (or in
 * {@code @BeforeAll} and closed in {@code @AfterAll}), so it is stopped also when the test fails:
 *
 * <pre>{@code
 * try (ConsulAgent consul = ConsulAgent.builder().aclsDefaultDeny().start()) {
 *   HttpRequest roots = HttpRequest.newBuilder(consul.httpAddress().resolve("/v1/connect/ca/roots"))
 *       .header("X-Consul-Token", consul.managementToken().orElseThrow()).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>The binaries are found by {@link dev.connect.peers.PeerBinaries}: {@code CONSUL_BIN} or
 * {@code VAULT_BIN}, else {@code ../shared/peers/peer --path consul|vault} beside the repository.
 * When neither exists the test is skipped with a message saying how to get one, except under
 * {@code CI=true}, where it fails. Every process binds to 127.0.0.1 only, on ports picked free
 * ({@link dev.connect.peers.FreePorts}; a start that loses a port to another process is retried
 * on fresh ports), writes its output to a log file printed in every failure, is waited for
 * within a bound, and is stopped by its PID: SIGTERM, then SIGKILL after a bound. A JVM
 * shutdown hook kills what a test forgot to close.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.peers;
