package dev.connect.cli;

import dev.connect.agent.ConnectAgent;
import dev.connect.consul.ConsulBackend;
import dev.connect.proxy.ConnectProxy;
import dev.connect.proxy.ConsulDiscovery;
import dev.connect.proxy.ProxyConfigFile;
import dev.connect.proxy.SidecarConfiguration;
import dev.connect.proxy.Upstream;
import io.netty.handler.ssl.SslProvider;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connect proxy --service web --listen 0.0.0.0:21000 --service-addr 127.0.0.1:8080
 * --upstream db:9191[@addr:port] ...}: a sidecar proxy for one service, in the spirit of {@code
 * consul connect proxy}, on an embedded server ({@code --data-dir}) or on a running agent or
 * Consul ({@code --http-addr}, else {@code CONSUL_HTTP_ADDR}). Upstreams without a fixed address
 * are discovered through {@code /v1/health/connect/<service>?passing=1} of that agent; {@code
 * --sidecar-for <service-id>} reads the configuration from the registered sidecar. SIGTERM
 * or SIGINT drains the connections (at most {@code --drain-timeout}) before the JVM exits.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true,
    description = "Run a sidecar proxy for one service until SIGTERM or SIGINT.")
final class ProxyCommand implements Callable<Integer> {
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.connect";

  @Spec CommandSpec spec;

  @Option(names = "--service", paramLabel = "<name>",
      description = "The service the proxy is (required unless --sidecar-for).")
  String service;

  @Option(names = "--sidecar-for", paramLabel = "<service-id>",
      description = "Read the service, listener, application and upstreams from the sidecar"
          + " service registered for this service ID (needs --http-addr).")
  String sidecarFor;

  @Option(names = {"--config-file", "-config-file"}, paramLabel = "<file.json>",
      description = "Read the service, public listener and upstreams from a JSON file with the"
          + " names of consul connect proxy's configuration file (docs/proxy.md). A flag that"
          + " sets what the file sets is refused; --upstream adds to its upstreams.")
  Path configFile;

  @Option(names = "--listen", paramLabel = "<addr:port>",
      description = "Public listener: mutual TLS as the service (needs --service-addr).")
  String listen;

  @Option(names = "--service-addr", paramLabel = "<addr:port>",
      description = "The local application that authorized connections are forwarded to.")
  String serviceAddr;

  @Option(names = "--upstream", paramLabel = "<dest>:<local-port>[@<addr:port>]",
      description = "An upstream listener on 127.0.0.1:<local-port>; repeatable. Without"
          + " @<addr:port>, instances are discovered through --http-addr.")
  List<String> upstreams = new ArrayList<>();

  @Option(names = "--data-dir", paramLabel = "<dir>",
      description = "Run on an embedded server's data directory (made by 'connect init').")
  Path dataDir;

  @Option(names = "--http-addr", paramLabel = "<addr>",
      description = "Run on a Consul agent or 'connect agent' (default: $CONSUL_HTTP_ADDR).")
  String httpAddr;

  @Option(names = "--token", paramLabel = "<secret>",
      description = "ACL token for --http-addr (default: $CONSUL_HTTP_TOKEN).")
  String token;

  @Option(names = "--tls-provider", paramLabel = "auto|jdk|openssl", defaultValue = "auto",
      description = "TLS implementation (default: ${DEFAULT-VALUE}: OpenSSL when it loads).")
  String tlsProvider;

  @Option(names = "--max-connections", paramLabel = "<n>", defaultValue = "10000",
      description = "Most connections open at once (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(names = "--idle-timeout", paramLabel = "<seconds>", defaultValue = "3600",
      description = "Close a connection idle both ways this long; 0: never (default:"
          + " ${DEFAULT-VALUE}).")
  long idleSeconds;

  @Option(names = "--drain-timeout", paramLabel = "<seconds>", defaultValue = "10",
      description = "Longest wait for open connections on shutdown (default: ${DEFAULT-VALUE}).")
  long drainSeconds;

  @Option(names = "--metrics-interval", paramLabel = "<seconds>", defaultValue = "60",
      description = "Log the metrics line at INFO this often; 0: never (default:"
          + " ${DEFAULT-VALUE}).")
  long metricsSeconds;

  @Option(names = "--event-loop-spin", paramLabel = "<µs>", defaultValue = "50",
      description = "Keep polling this long before an idle event loop sleeps, so an answer"
          + " is relayed without waking a thread; 0 to 1000, 0 turns it off (default:"
          + " ${DEFAULT-VALUE}).")
  long spinMicros;

  /** The environment, replaced by tests. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, "info");
    }
    Logger log = LoggerFactory.getLogger(ProxyCommand.class);
    if (sidecarFor != null && (service != null || listen != null || serviceAddr != null
        || dataDir != null || configFile != null)) {
      throw usage("--sidecar-for " + sidecarFor + " reads the service, --listen and"
          + " --service-addr from the agent; give none of them, nor --data-dir or"
          + " --config-file");
    }
    if ((listen == null) != (serviceAddr == null)) {
      throw usage("--listen and --service-addr go together");
    }
    ProxyConfigFile file = null;
    if (configFile != null) {
      try {
        file = ProxyConfigFile.read(configFile);
      } catch (java.io.IOException e) {
        throw usage("--config-file " + configFile + " cannot be read: " + e);
      } catch (IllegalArgumentException e) {
        throw usage("--config-file " + e.getMessage());
      }
      if (file.service().isPresent()) {
        if (service != null && !service.equals(file.service().get())) {
          throw usage("--service " + service + " conflicts with proxied_service_name "
              + file.service().get() + " in " + configFile);
        }
        service = file.service().get();
      }
      if (file.listen().isPresent() && listen != null) {
        throw usage("--listen " + listen + " conflicts with public_listener in " + configFile
            + "; give one of them");
      }
    }
    if (sidecarFor == null && service == null) {
      throw usage("give --service (or proxied_service_name in --config-file), or --sidecar-for"
          + " with --http-addr");
    }
    if (sidecarFor == null && listen == null && upstreams.isEmpty()
        && (file == null || (file.listen().isEmpty() && file.upstreams().isEmpty()))) {
      throw usage("nothing to proxy: give --listen with --service-addr, or --upstream");
    }
    if (idleSeconds < 0 || drainSeconds < 0 || metricsSeconds < 0) {
      throw usage("--idle-timeout, --drain-timeout and --metrics-interval must not be negative");
    }
    long maxSpinMicros = ConnectProxy.MAX_EVENT_LOOP_SPIN.toNanos() / 1000;
    if (spinMicros < 0 || spinMicros > maxSpinMicros) {
      throw usage("--event-loop-spin must be 0 to " + maxSpinMicros + " µs: " + spinMicros);
    }
    String http = httpAddr != null ? httpAddr : environment.get("CONSUL_HTTP_ADDR");
    if (dataDir != null && httpAddr != null) {
      throw usage("--data-dir and --http-addr exclude each other");
    }
    if (dataDir == null && (http == null || http.isEmpty())) {
      throw usage("give --data-dir, or --http-addr (or CONSUL_HTTP_ADDR)");
    }
    List<Upstream> parsed = new ArrayList<>(file == null ? List.of() : file.upstreams());
    for (String u : upstreams) {
      Upstream up;
      try {
        up = Upstream.parse(u);
      } catch (IllegalArgumentException e) {
        throw usage("--upstream " + e.getMessage());
      }
      for (Upstream known : parsed) {
        if (known.destination().equals(up.destination())) {
          throw usage("--upstream " + u + ": there is already an upstream to "
              + up.destination() + (configFile == null ? "" : " (" + configFile + " included)"));
        }
      }
      parsed.add(up);
    }
    if (dataDir != null) {
      for (Upstream u : parsed) {
        if (u.fixedAddress().isEmpty()) {
          throw usage("--upstream " + u.destination() + " has no @<addr:port>: an embedded"
              + " server has no catalog to discover it in; give its address (static_address"
              + " in a --config-file)");
        }
      }
    }
    SslProvider provider = switch (tlsProvider) {
      case "auto" -> null;
      case "jdk" -> SslProvider.JDK;
      case "openssl" -> SslProvider.OPENSSL;
      default -> throw usage("--tls-provider must be auto, jdk or openssl, not " + tlsProvider);
    };
    String secret = token != null ? token : environment.get("CONSUL_HTTP_TOKEN");
    Optional<String> tokenOpt = Optional.ofNullable(secret).filter(t -> !t.isEmpty());

    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(drainSeconds + 30L, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "connect-proxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ConsulBackend backend = null;
    ConsulDiscovery discovery = null;
    SidecarConfiguration sidecar = null;
    ConnectAgent agent;
    try {
      if (dataDir != null) {
        if (!Files.exists(dataDir.resolve("state.json"))) {
          throw new dev.connect.server.DataDirectoryException(dataDir, "holds no Connect CA (no"
              + " state.json); run 'connect init --data-dir " + dataDir + "' to create one");
        }
        agent = ConnectAgent.builder().dataDirectory(dataDir).build();
      } else {
        ConsulBackend.Builder b = ConsulBackend.builder().environment(environment).address(http);
        tokenOpt.ifPresent(b::token);
        backend = b.build();
        if (sidecarFor != null) {
          // Before the agent exists: a failed fetch leaves nothing to close but the backend.
          sidecar = SidecarConfiguration.fetch(backend, sidecarFor);
          service = sidecar.service();
        }
        ConnectAgent.Builder a = ConnectAgent.builder().backend(backend)
            .defaultIntentionPolicy(backend.defaultIntentionPolicy());
        tokenOpt.ifPresent(a::token);
        agent = a.build();
        discovery = ConsulDiscovery.over(backend);
      }
      try (agent) {
        InetSocketAddress publicAddress = listen == null ? null : address("--listen", listen);
        InetSocketAddress application = serviceAddr == null ? null
            : address("--service-addr", serviceAddr);
        if (file != null && file.listen().isPresent()) {
          publicAddress = file.listen().get();
          application = file.application().orElseThrow();
        }
        if (sidecar != null) {
          publicAddress = sidecar.listen();
          application = sidecar.application();
          parsed.addAll(sidecar.upstreams());
        }
        ConnectProxy.Builder pb = ConnectProxy.builder(agent.service(service))
            .maxConnections(maxConnections)
            .idleTimeout(Duration.ofSeconds(idleSeconds))
            .drainTimeout(Duration.ofSeconds(drainSeconds))
            .metricsLogInterval(Duration.ofSeconds(metricsSeconds))
            .eventLoopSpin(Duration.ofNanos(spinMicros * 1000));
        if (provider != null) {
          pb.provider(provider);
        }
        if (file != null) {
          file.connectTimeout().ifPresent(pb::connectTimeout);
        }
        if (publicAddress != null) {
          pb.publicListener(publicAddress, application);
        }
        parsed.forEach(pb::upstream);
        if (discovery != null) {
          pb.discovery(discovery);
        }
        try (ConnectProxy proxy = pb.start()) {
          PrintWriter out = spec.commandLine().getOut();
          proxy.publicAddress().ifPresent(a -> out.printf("Public listener on %s as %s%n",
              hostPort(a), service));
          for (Upstream u : parsed) {
            out.printf("Upstream %s on %s%n", u.destination(),
                hostPort(proxy.upstreamAddress(u.destination())));
          }
          out.printf("TLS provider: %s%n", proxy.provider());
          out.flush();
          stop.await();
          log.info("shutting down: draining connections (at most {}s)", drainSeconds);
        }
      }
    } finally {
      if (discovery != null) {
        discovery.close();
      }
      if (backend != null) {
        backend.close();
      }
      stopped.countDown();
    }
    return 0;
  }

  private InetSocketAddress address(String option, String text) {
    try {
      return Upstream.parse("x:0@" + text).fixedAddress().orElseThrow();
    } catch (IllegalArgumentException e) {
      throw usage(option + " " + e.getMessage().replace("x:0@", ""));
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
