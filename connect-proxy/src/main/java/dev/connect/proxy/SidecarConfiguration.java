package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import dev.connect.consul.AgentServiceWire;
import dev.connect.consul.ConsulBackend;
import dev.connect.consul.ConsulHttpException;
import dev.connect.consul.ProxyWire;
import dev.connect.consul.UpstreamWire;
import dev.connect.core.QueryOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A proxy's configuration read from its registered sidecar service, as {@code consul connect
 * proxy -sidecar-for <service-id>} reads it: the {@code connect-proxy} service of the agent whose
 * {@code Proxy.DestinationServiceID} is the given ID.
 *
 * <p>The service is {@code Proxy.DestinationServiceName}; the public listener binds {@code
 * Proxy.Config.bind_address} (default {@code 0.0.0.0}) on {@code Proxy.Config.bind_port} (default
 * the sidecar's {@code Port}); the application is {@code LocalServiceAddress} (default {@code
 * 127.0.0.1}) and {@code LocalServicePort}; each upstream listens on {@code LocalBindAddress}
 * (default {@code 127.0.0.1}) and {@code LocalBindPort} and is discovered by {@code
 * DestinationName}.
 *
 * @param service the service the proxy is
 * @param listen the public listener's address
 * @param application the local application's address
 * @param upstreams the upstreams, discovered
 */
public record SidecarConfiguration(String service, InetSocketAddress listen,
    InetSocketAddress application, List<Upstream> upstreams) {

  /** Checks the values and copies the list. */
  public SidecarConfiguration {
    requireNonNull(service, "service");
    requireNonNull(listen, "listen");
    requireNonNull(application, "application");
    upstreams = List.copyOf(upstreams);
  }

  /**
   * Reads the sidecar of {@code serviceId} from the agent's {@code GET /v1/agent/services} over
   * plain HTTP, ignoring the environment; for https use {@link #fetch(ConsulBackend, String)}.
   *
   * @param address the agent, such as {@code http://127.0.0.1:8500}
   * @param token the ACL token secret, if any
   * @param serviceId the ID of the service the sidecar is for, such as {@code web}
   * @return the configuration
   * @throws IllegalStateException naming the ID if no sidecar or several are registered for it,
   *     or if the agent cannot be read
   * @throws IOException if the agent cannot be reached
   * @throws InterruptedException if interrupted while waiting for the agent
   */
  public static SidecarConfiguration fetch(URI address, Optional<String> token, String serviceId)
      throws IOException, InterruptedException {
    requireNonNull(address, "address");
    requireNonNull(token, "token");
    requireNonNull(serviceId, "serviceId");
    ConsulBackend.Builder b = ConsulBackend.builder().environment(Map.of())
        .address(address.toString());
    token.filter(t -> !t.isEmpty()).ifPresent(b::token);
    try (ConsulBackend backend = b.build()) {
      return fetch(backend, serviceId);
    }
  }

  /**
   * Reads the sidecar of {@code serviceId} from {@code GET /v1/agent/services} of {@code
   * backend}'s agent, with its TLS settings and token.
   *
   * @param backend the agent's backend (not closed)
   * @param serviceId the ID of the service the sidecar is for, such as {@code web}
   * @return the configuration
   * @throws IllegalStateException naming the ID if no sidecar or several are registered for it,
   *     or if the agent cannot be read or answers an error
   * @throws IOException if the agent cannot be reached
   * @throws InterruptedException if interrupted while waiting for the agent
   */
  public static SidecarConfiguration fetch(ConsulBackend backend, String serviceId)
      throws IOException, InterruptedException {
    requireNonNull(backend, "backend");
    requireNonNull(serviceId, "serviceId");
    URI address = backend.address();
    Map<String, AgentServiceWire> services;
    try {
      services = backend.agentServices(QueryOptions.defaults()).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ConsulHttpException h && h.status().isEmpty()) {
        throw new IOException("cannot read the sidecar of " + serviceId + ": " + c.getMessage(),
            c);
      }
      throw new IllegalStateException("cannot read the sidecar of " + serviceId + ": "
          + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new IOException("no answer from " + address + " within 60s", e);
    }
    List<AgentServiceWire> found = new ArrayList<>();
    for (AgentServiceWire s : services.values()) {
      if ("connect-proxy".equals(s.kind()) && s.proxy() != null
          && serviceId.equals(s.proxy().destinationServiceId())) {
        found.add(s);
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException((found.isEmpty() ? "no sidecar proxy is" : found.size()
          + " sidecar proxies are") + " registered for service ID " + serviceId + " at "
          + address);
    }
    AgentServiceWire sidecar = found.get(0);
    ProxyWire p = sidecar.proxy();
    Map<String, Object> config = p.config() == null ? Map.of() : p.config();
    String bindAddress = config.get("bind_address") instanceof String a ? a : "0.0.0.0";
    int bindPort = config.get("bind_port") instanceof Number n ? n.intValue()
        : sidecar.port() == null ? 0 : sidecar.port();
    if (p.localServicePort() == null || p.localServicePort() <= 0) {
      throw new IllegalStateException("sidecar " + sidecar.id() + " of " + serviceId
          + " has no LocalServicePort");
    }
    List<Upstream> upstreams = new ArrayList<>();
    for (UpstreamWire u : p.upstreams() == null ? List.<UpstreamWire>of() : p.upstreams()) {
      if (u.destinationType() != null && !u.destinationType().equals("service")) {
        throw new IllegalStateException("sidecar " + sidecar.id() + ": upstream "
            + u.destinationName() + " of type " + u.destinationType() + " is not supported");
      }
      upstreams.add(new Upstream(u.destinationName(), new InetSocketAddress(
          host(u.localBindAddress()), u.localBindPort() == null ? 0 : u.localBindPort()),
          Optional.empty()));
    }
    return new SidecarConfiguration(p.destinationServiceName(),
        new InetSocketAddress(InetAddress.getByName(bindAddress), bindPort),
        new InetSocketAddress(host(p.localServiceAddress()), p.localServicePort()), upstreams);
  }

  private static InetAddress host(String address) throws IOException {
    return address == null || address.isEmpty() ? InetAddress.getLoopbackAddress()
        : InetAddress.getByName(address);
  }
}
