package dev.connect.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Three real Consul servers on 127.0.0.1 forming one Raft cluster ({@code -bootstrap-expect 3},
 * each {@code -retry-join}ing the others' Serf LAN ports), with Connect on and the built-in CA.
 *
 * <pre>{@code
 * try (ConsulCluster cluster = ConsulCluster.start()) {
 *   ConsulServer old = cluster.killLeader();          // SIGKILL
 *   ConsulServer leader = cluster.leader();           // waits for the survivors to elect one
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once every server agrees on one leader and the CA has an
 * active root. The servers run with {@code performance { raft_multiplier = 1 }} (Consul's
 * production timing; the default, 5, is for slow machines) and {@code -retry-interval 1s}.
 * Sharp edge, from Consul: for a short while after a new leader is elected it answers leaf
 * requests with 500 "CA is uninitialized and unable to sign certificates yet: provider is nil";
 * a client must ride over that, and this class does not wait it out for you.
 *
 * <p>{@link #close()} stops every server by its PID and deletes the data directories. Each
 * cluster is a new CA and trust domain. Thread-safe.
 */
public final class ConsulCluster implements AutoCloseable {
  static final int SIZE = 3;

  private final List<ConsulServer> servers;
  private final PeerGroup group;
  private final Duration timeout;
  private final Duration startupTime;
  private final Object lock = new Object();

  private ConsulCluster(List<ConsulServer> servers, PeerGroup group, Duration timeout) {
    this.servers = List.copyOf(servers);
    this.group = group;
    this.timeout = timeout;
    this.startupTime = group.elapsed();
  }

  /** Returns a builder of a three-server cluster with no extra configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a three-server cluster: a shortcut for {@code builder().start()}.
   *
   * @throws org.opentest4j.TestAbortedException when there is no Consul binary outside CI
   * @throws IllegalStateException when the cluster is not ready in time, quoting the logs
   */
  public static ConsulCluster start() {
    return builder().start();
  }

  /** Returns the three servers, {@code s1} to {@code s3}, the killed ones included. */
  public List<ConsulServer> servers() {
    return servers;
  }

  /** Returns how long the start took, from the first exec to ready (retries included). */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Returns the current leader, waiting (up to the builder's ready timeout) until every
   * running server names the same running server as leader: after {@link #killLeader()} this
   * waits for the survivors to elect a new one.
   *
   * @throws IllegalStateException when they do not agree on a running leader in time, quoting
   *     the logs
   */
  public ConsulServer leader() {
    List<ConsulServer> running = running();
    if (running.isEmpty()) {
      throw new IllegalStateException("no server of the cluster is running");
    }
    return awaitLeader(running, timeout);
  }

  /** Waits until every one of {@code servers} names the same one of them as leader. */
  private static ConsulServer awaitLeader(List<ConsulServer> servers, Duration timeout) {
    return PeerProcess.await("one leader agreed by " + nodes(servers), timeout,
        servers.stream().map(ConsulServer::process).toList(), () -> agreedLeader(servers));
  }

  /**
   * Kills the current leader ({@link #leader()}) with SIGKILL, waits until its process is gone,
   * and returns it. Call {@link #leader()} next to wait for the new one.
   *
   * @throws IllegalStateException when there is no leader in time
   */
  public ConsulServer killLeader() {
    synchronized (lock) {
      ConsulServer leader = leader();
      leader.process().kill();
      return leader;
    }
  }

  /**
   * Stops every server by its PID (SIGTERM, then SIGKILL after 10 seconds), waits until all are
   * gone, and deletes the data directories. Idempotent.
   *
   * @throws IllegalStateException if a process survives SIGKILL
   */
  @Override
  public void close() {
    synchronized (lock) {
      group.close();
    }
  }

  /** Prints the servers. */
  @Override
  public String toString() {
    return "ConsulCluster" + servers;
  }

  private List<ConsulServer> running() {
    return servers.stream().filter(ConsulServer::isAlive).toList();
  }

  private static String nodes(List<ConsulServer> servers) {
    return String.join(", ", servers.stream().map(ConsulServer::node).toList());
  }

  private static Optional<ConsulServer> agreedLeader(List<ConsulServer> running) {
    String agreed = null;
    for (ConsulServer s : running) {
      Optional<String> leader = ConsulNode.leader(s.httpAddress());
      if (leader.isEmpty() || leader.get().isEmpty()
          || (agreed != null && !agreed.equals(leader.get()))) {
        return Optional.empty();
      }
      agreed = leader.get();
    }
    String address = agreed;
    return running.stream().filter(s -> address.equals("127.0.0.1:" + s.serverPort()))
        .filter(ConsulServer::isAlive).findFirst();
  }

  /** Builds and starts a {@link ConsulCluster}; not thread-safe, used once. */
  public static final class Builder extends ConsulBuilder<Builder> {
    private Builder() {
      super(Duration.ofSeconds(90));
    }

    /**
     * Starts the three servers and waits until they agree on a leader and the CA has an active
     * root, retrying on fresh ports (up to three starts) when another process took a picked port
     * first. When the start fails, the data directories are left in the temporary directory,
     * for the logs.
     *
     * @throws org.opentest4j.TestAbortedException when there is no Consul binary outside CI
     * @throws IllegalStateException when there is none under {@code CI=true}, or a server exits
     *     or the cluster is not ready within the timeout; the message quotes the logs
     */
    public ConsulCluster start() {
      Path consul = consul();
      return PeerGroup.startRetrying("connect-peers-cluster-", group -> {
        int[] picked = FreePorts.pick(5 * SIZE);
        List<ConsulPorts> ports = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
          ports.add(new ConsulPorts(picked[5 * i], picked[5 * i + 1], picked[5 * i + 2],
              picked[5 * i + 3], picked[5 * i + 4]));
        }
        List<ConsulServer> servers = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
          String node = "s" + (i + 1);
          PeerProcess process = group.start("consul server " + node,
              command(consul, group.directory(), node, ports.get(i), ports), node + ".log");
          servers.add(new ConsulServer(node, ports.get(i), process));
        }
        ConsulServer leader = awaitLeader(servers, readyTimeout);
        ConsulNode.awaitActiveRoot(leader.httpAddress(), Optional.empty(), readyTimeout,
            servers.stream().map(ConsulServer::process).toList());
        return new ConsulCluster(servers, group, readyTimeout);
      });
    }

    private List<String> command(Path consul, Path dir, String node, ConsulPorts own,
        List<ConsulPorts> all) {
      List<String> command = new ArrayList<>(List.of(consul.toString(), "agent", "-server",
          "-bootstrap-expect", String.valueOf(SIZE), "-data-dir", dir.resolve(node).toString(),
          "-node", node, "-bind", "127.0.0.1", "-advertise", "127.0.0.1",
          "-client", "127.0.0.1", "-retry-interval", "1s"));
      command.addAll(own.arguments());
      for (ConsulPorts other : all) {
        command.addAll(List.of("-retry-join", "127.0.0.1:" + other.serfLan()));
      }
      command.addAll(List.of("-hcl", "connect { enabled = true }",
          "-hcl", "performance { raft_multiplier = 1 }"));
      for (String config : hcl) {
        command.addAll(List.of("-hcl", config));
      }
      return command;
    }
  }
}
