package dev.connect.peers;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A real Consul dev agent ({@code consul agent -dev}): one server, in memory, Connect on with
 * the built-in CA, every port picked free on 127.0.0.1 and DNS off; optionally ACLs on with a
 * management token of its own.
 *
 * <pre>{@code
 * try (ConsulAgent consul = ConsulAgent.builder().aclsDefaultDeny().start()) {
 *   URI roots = consul.httpAddress().resolve("/v1/connect/ca/roots");
 *   String token = consul.managementToken().orElseThrow();   // X-Consul-Token
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once the agent is ready: {@code /v1/status/leader} names a
 * leader and {@code /v1/connect/ca/roots} has an active root. Dev mode keeps everything in
 * memory: each agent is a new CA and a new trust domain. {@link #close()} stops it by its PID
 * (SIGTERM, SIGKILL after a bound; Consul exits with status 1 on SIGTERM, which is normal) and
 * deletes its directory (log included: copy the log first if you want to keep it).
 *
 * <p>Thread-safe.
 */
public final class ConsulAgent extends ConsulNode implements AutoCloseable {
  private final PeerGroup group;
  private final Optional<String> managementToken;
  private final Optional<String> aclDefaultPolicy;
  private final Duration startupTime;

  private ConsulAgent(PeerGroup group, PeerProcess process, ConsulPorts ports,
      Optional<String> managementToken, Optional<String> aclDefaultPolicy) {
    super(process, ports);
    this.group = group;
    this.managementToken = managementToken;
    this.aclDefaultPolicy = aclDefaultPolicy;
    this.startupTime = group.elapsed();
  }

  /** Returns a builder of a dev agent with ACLs off and no extra configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a dev agent with ACLs off: a shortcut for {@code builder().start()}.
   *
   * @throws org.opentest4j.TestAbortedException when there is no Consul binary outside CI
   * @throws IllegalStateException when the agent is not ready in time, quoting its log
   */
  public static ConsulAgent start() {
    return builder().start();
  }

  /** Returns the Serf WAN port (TCP and UDP) on 127.0.0.1. */
  public int serfWanPort() {
    return ports().serfWan();
  }

  /**
   * Returns the management token's secret ID when ACLs are on, to send as {@code
   * X-Consul-Token}; empty when they are off. It is also the agent's own token.
   */
  public Optional<String> managementToken() {
    return managementToken;
  }

  /** Returns the ACL default policy ({@code "deny"} or {@code "allow"}), empty when ACLs are off. */
  public Optional<String> aclDefaultPolicy() {
    return aclDefaultPolicy;
  }

  /** Returns how long the start took, from the first exec to ready (retries included). */
  public Duration startupTime() {
    return startupTime;
  }

  /** The directory holding the log, HOME and TMPDIR of the agent. */
  Path directory() {
    return group.directory();
  }

  /** How many starts it took (more than one when a picked port was taken meanwhile). */
  int attempts() {
    return group.attempt();
  }

  /**
   * Stops the agent by its PID (SIGTERM, then SIGKILL after 10 seconds), waits until it is gone,
   * and deletes its directory. Idempotent.
   *
   * @throws IllegalStateException if the process survives SIGKILL
   */
  @Override
  public void close() {
    group.close();
  }

  /** Prints the PID, the HTTP address and the ACL mode; never the token. */
  @Override
  public String toString() {
    return "ConsulAgent[pid=" + pid() + ", http=" + httpAddress() + ", acls="
        + aclDefaultPolicy.orElse("off") + (managementToken.isPresent() ? ", token=<redacted>" : "")
        + "]";
  }

  /** Builds and starts a {@link ConsulAgent}; not thread-safe, used once. */
  public static final class Builder extends ConsulBuilder<Builder> {
    private Optional<String> aclDefaultPolicy = Optional.empty();
    private String node = "dev";
    private Optional<ConsulPorts> firstPorts = Optional.empty();

    private Builder() {
      super(Duration.ofSeconds(60));
    }

    /**
     * Turns ACLs on with {@code default_policy = "deny"} and a generated management token.
     *
     * @throws IllegalStateException if an ACL mode was already chosen
     */
    public Builder aclsDefaultDeny() {
      return acls("deny");
    }

    /**
     * Turns ACLs on with {@code default_policy = "allow"} and a generated management token.
     *
     * @throws IllegalStateException if an ACL mode was already chosen
     */
    public Builder aclsDefaultAllow() {
      return acls("allow");
    }

    private Builder acls(String policy) {
      if (aclDefaultPolicy.isPresent()) {
        throw new IllegalStateException(
            "ACLs were already set to default_policy " + aclDefaultPolicy.get());
      }
      aclDefaultPolicy = Optional.of(policy);
      return this;
    }

    /**
     * Sets the node name. Default: {@code dev}.
     *
     * @throws IllegalArgumentException if {@code name} is not letters, digits and dashes
     */
    public Builder node(String name) {
      requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9-]{1,63}")) {
        throw new IllegalArgumentException("node must be 1-63 letters, digits or dashes: " + name);
      }
      node = name;
      return this;
    }

    /** Ports for the first attempt instead of picked ones, for a test of the retry. */
    Builder firstPorts(ConsulPorts ports) {
      firstPorts = Optional.of(ports);
      return this;
    }

    /**
     * Starts the agent and waits until it is ready, retrying on fresh ports (up to three
     * starts) when another process took a picked port first. When the start fails, the agent's
     * directory is left in the temporary directory, for its log.
     *
     * @throws org.opentest4j.TestAbortedException when there is no Consul binary outside CI
     * @throws IllegalStateException when there is none under {@code CI=true}, or the agent
     *     exits or is not ready within the timeout; the message quotes its log
     */
    public ConsulAgent start() {
      Path consul = consul();
      Optional<String> token = aclDefaultPolicy.map(p -> UUID.randomUUID().toString());
      return PeerGroup.startRetrying("connect-peers-consul-", group -> {
        ConsulPorts ports = group.attempt() == 1 && firstPorts.isPresent()
            ? firstPorts.get() : ConsulPorts.pick();
        List<String> command = new ArrayList<>(List.of(consul.toString(), "agent", "-dev",
            "-node", node, "-bind", "127.0.0.1", "-client", "127.0.0.1"));
        command.addAll(ports.arguments());
        aclDefaultPolicy.ifPresent(policy -> command.addAll(List.of("-hcl",
            "acl { enabled = true  default_policy = \"" + policy + "\"  tokens { master = \""
                + token.get() + "\"  agent = \"" + token.get() + "\" } }")));
        for (String config : hcl) {
          command.addAll(List.of("-hcl", config));
        }
        PeerProcess process = group.start("consul agent -dev", command, "consul.log");
        URI http = URI.create("http://127.0.0.1:" + ports.http());
        PeerProcess.await("leader at " + http, readyTimeout, List.of(process),
            () -> leader(http).filter(l -> !l.isEmpty()));
        awaitActiveRoot(http, token, readyTimeout, List.of(process));
        return new ConsulAgent(group, process, ports, token, aclDefaultPolicy);
      });
    }
  }
}
