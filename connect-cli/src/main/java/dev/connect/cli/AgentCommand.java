package dev.connect.cli;

import dev.connect.agent.ConnectAgent;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.http.ConnectHttpServer;
import dev.connect.server.DataDirectoryException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code connect agent --data-dir <dir> [--http 127.0.0.1:8500] [--https <addr:port>
 * [--https-dns-san <name>]... [--https-ip-san <ip>]... [--verify-incoming]] [--acls
 * --default-policy deny]}:
 * the embedded server, the agent cache and Consul's agent HTTP API in one long-running process
 * that other JVMs, the CLI and Consul's own tools use. Creates the data directory when it holds
 * none (recording the ACL mode), opens it otherwise (the flags then only assert the recorded
 * mode). Ready means listening: it then prints the addresses it serves. HTTPS presents a
 * certificate of the agent's own CA, which clients trust through {@code GET
 * /v1/connect/ca/roots?pem=true} ({@code CONSUL_CACERT}). SIGTERM or SIGINT drains
 * the HTTP API and closes the data directory before the JVM exits (with 143 after SIGTERM and
 * 130 after SIGINT, as every JVM does).
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Run the Connect server and Consul's agent HTTP API for other processes, until"
        + " SIGTERM or SIGINT.")
final class AgentCommand implements Callable<Integer> {
  /** The CLI logs warnings only; a long-running agent says what it does, at INFO. */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.connect";

  // Made in call(), after LOG_LEVEL is set: slf4j-simple reads a logger's level when it is made.
  private Logger log;

  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin VaultOptions caProviderOptions;

  @Option(names = "--data-dir", paramLabel = "<dir>", required = true,
      description = "Data directory: created with a new CA when it holds none.")
  Path dataDir;

  @Option(names = "--http", paramLabel = "<addr:port>", defaultValue = "127.0.0.1:8500",
      description = "Loopback address of the plain HTTP API (default: ${DEFAULT-VALUE}; port 0"
          + " picks a free one).")
  String http;

  @Option(names = "--no-http", description = "Serve no plain HTTP, only --https.")
  boolean noHttp;

  @Option(names = "--https", paramLabel = "<addr:port>",
      description = "Address of the HTTPS API, any address (port 0 picks a free one); its"
          + " certificate comes from the agent's own CA.")
  String https;

  @Option(names = "--https-dns-san", paramLabel = "<name>",
      description = "A DNS name the HTTPS certificate names besides localhost; repeatable"
          + " (Consul: auto_encrypt.dns_san).")
  List<String> httpsDnsNames = new ArrayList<>();

  @Option(names = "--https-ip-san", paramLabel = "<ip>",
      description = "An IP address the HTTPS certificate names besides 127.0.0.1 and ::1;"
          + " repeatable (Consul: auto_encrypt.ip_san).")
  List<String> httpsIps = new ArrayList<>();

  @Option(names = "--verify-incoming",
      description = "HTTPS clients must present a certificate of the agent's CA, such as a"
          + " service leaf (Consul: verify_incoming).")
  boolean verifyIncoming;

  @Option(names = "--node", paramLabel = "<name>",
      description = "Node name in the HTTPS certificate's agent SPIFFE ID (default: "
          + ConnectHttpServer.Builder.DEFAULT_NODE + ").")
  String node;

  @Option(names = "--acls", description = "ACLs on. A new directory records it; an existing one"
      + " must already record it.")
  boolean acls;

  @Option(names = "--default-policy", paramLabel = "allow|deny",
      description = "ACL default policy; needs --acls (default: allow, as in Consul).")
  String defaultPolicy;

  @Option(names = "--drain-timeout", paramLabel = "<seconds>", defaultValue = "10",
      description = "Longest wait for requests in flight on shutdown (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, "info");
    }
    log = LoggerFactory.getLogger(AgentCommand.class);
    if (defaultPolicy != null && !acls) {
      throw new ParameterException(spec.commandLine(),
          "--default-policy " + defaultPolicy + " needs --acls: without ACLs nothing is denied");
    }
    if (drainSeconds < 0) {
      throw new ParameterException(spec.commandLine(),
          "--drain-timeout must not be negative: " + drainSeconds);
    }
    if (https == null && (verifyIncoming || noHttp || node != null || !httpsDnsNames.isEmpty()
        || !httpsIps.isEmpty())) {
      throw new ParameterException(spec.commandLine(), "--no-http, --https-dns-san,"
          + " --https-ip-san, --verify-incoming and --node need --https <addr:port>");
    }
    InetSocketAddress address = address(http, "--http");
    Optional<InetSocketAddress> httpsAddress = https == null ? Optional.empty()
        : Optional.of(address(https, "--https"));
    List<InetAddress> ips = new ArrayList<>();
    for (String ip : httpsIps) {
      ips.add(ipLiteral(ip));
    }
    ConnectAgent.Builder b = ConnectAgent.builder().dataDirectory(dataDir);
    caProviderOptions.apply(b, spec);
    if (acls) {
      b.aclsEnabled(true);
    }
    if (defaultPolicy != null) {
      try {
        b.aclDefaultPolicy(AclDefaultPolicy.parse(defaultPolicy));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(),
            "--default-policy must be allow or deny, not " + defaultPolicy);
      }
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and SIGINT run shutdown hooks: this one hands the drain to the command's thread
    // and holds the JVM until it is done, so the directory is closed before the process ends.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(drainSeconds + 30L, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "connect-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return serve(b, address, httpsAddress, ips, stop);
    } finally {
      stopped.countDown();
    }
  }

  private int serve(ConnectAgent.Builder b, InetSocketAddress address,
      Optional<InetSocketAddress> httpsAddress, List<InetAddress> ips, CountDownLatch stop)
      throws Exception {
    ConnectAgent agent;
    try {
      agent = b.build();
    } catch (DataDirectoryException e) {
      throw new DataDirectoryException(e.path(), e.getMessage()
          .substring(e.path().toString().length() + 2)
          .replace("aclsEnabled was set to true", "--acls was given")
          .replace("aclDefaultPolicy was set to", "--default-policy is"), e);
    }
    try (agent) {
      ConnectHttpServer.Builder sb = ConnectHttpServer.builder(agent)
          .drainTimeout(Duration.ofSeconds(drainSeconds));
      try {
        sb.address(address);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--http " + http + ": "
            + e.getMessage());
      }
      if (noHttp) {
        sb.noPlainHttp();
      }
      if (httpsAddress.isPresent()) {
        sb.https(httpsAddress.get()).httpsIpAddresses(ips);
        try {
          sb.httpsDnsNames(httpsDnsNames);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--https-dns-san: " + e.getMessage());
        }
        if (node != null) {
          try {
            sb.nodeName(node);
          } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--node: " + e.getMessage());
          }
        }
        if (verifyIncoming) {
          sb.requireClientCertificates();
        }
      }
      ConnectHttpServer server = sb.start();
      try (server) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Connect agent: trust domain %s, data directory %s%n", agent.trustDomain(),
            dataDir);
        out.printf("ACLs: %s%n", switch (agent.defaultIntentionPolicy()) {
          case ACLS_DISABLED -> "disabled";
          case ACLS_DEFAULT_ALLOW -> "enabled, default policy allow";
          case ACLS_DEFAULT_DENY -> "enabled, default policy deny";
        });
        if (!noHttp) {
          out.printf("Serving HTTP on http://%s%n", hostPort(server.address()));
          log.info("serving Consul's agent HTTP API on http://{}", hostPort(server.address()));
        }
        if (server.httpsAddress().isPresent()) {
          InetSocketAddress bound = server.httpsAddress().get();
          out.printf("Serving HTTPS on https://%s%s%n", hostPort(bound), verifyIncoming
              ? " (client certificates required)" : "");
          out.printf("HTTPS clients trust GET /v1/connect/ca/roots?pem=true (CONSUL_CACERT)%n");
          log.info("serving Consul's agent HTTP API on https://{}, certificate serial {}",
              hostPort(bound), server.httpsCertificateChain().orElseThrow().get(0)
                  .getSerialNumber().toString(16));
        }
        out.flush();
        stop.await();
        log.info("shutting down: draining HTTP (at most {}s)", drainSeconds);
      }
    }
    log.info("stopped; {} closed", dataDir);
    return 0;
  }

  private InetAddress ipLiteral(String text) {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1)
        : text;
    // Literals only: a name here would be resolved through DNS, silently.
    if (!t.matches("[0-9.]+") && !t.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
      throw new ParameterException(spec.commandLine(),
          "--https-ip-san must be an IPv4 or IPv6 address, not " + text);
    }
    try {
      return InetAddress.getByName(t);
    } catch (UnknownHostException e) {
      throw new ParameterException(spec.commandLine(),
          "--https-ip-san must be an IPv4 or IPv6 address, not " + text);
    }
  }

  private InetSocketAddress address(String text, String flag) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new ParameterException(spec.commandLine(),
          flag + " must be <address>:<port>, such as 127.0.0.1:8500, not " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), flag + " port is not a number: " + text);
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), flag + " port out of range: " + text);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new ParameterException(spec.commandLine(), flag + " address unknown: " + host);
    }
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
