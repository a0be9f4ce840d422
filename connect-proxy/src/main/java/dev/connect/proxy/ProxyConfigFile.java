package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.connect.core.ServiceNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A proxy's configuration read from a JSON file ({@code connect proxy --config-file}), with the
 * names of {@code consul connect proxy}'s configuration file where the two overlap:
 *
 * <pre>{@code
 * {
 *   "proxied_service_name": "web",
 *   "public_listener": {
 *     "bind_address": "0.0.0.0", "bind_port": 21000,
 *     "local_service_address": "127.0.0.1:8080", "local_connect_timeout_ms": 1000
 *   },
 *   "upstreams": [
 *     {"destination_name": "db", "local_bind_port": 9191},
 *     {"destination_name": "cache", "local_bind_address": "127.0.0.1", "local_bind_port": 9192,
 *      "static_address": "10.0.0.7:21000"}
 *   ]
 * }
 * }</pre>
 *
 * <p>As Consul: {@code bind_address} defaults to {@code 0.0.0.0}, {@code local_bind_address} to
 * {@code 127.0.0.1}, {@code destination_type} may only be {@code service} here (Consul also has
 * {@code prepared_query}), namespaces may only be {@code default}. {@code static_address} is
 * ours: the one address to dial, as {@code --upstream db:9191@addr:port}. Any other name,
 * including Consul's {@code token}, {@code datacenter}, {@code handshake_timeout_ms} and {@code
 * telemetry}, is refused with its path, so that nothing in the file is silently ignored.
 *
 * @param service {@code proxied_service_name}, if given
 * @param listen the public listener's address, if {@code public_listener} is given
 * @param application {@code public_listener.local_service_address}, with {@code listen}
 * @param connectTimeout {@code public_listener.local_connect_timeout_ms}, if given
 * @param upstreams the upstreams
 */
public record ProxyConfigFile(Optional<String> service, Optional<InetSocketAddress> listen,
    Optional<InetSocketAddress> application, Optional<Duration> connectTimeout,
    List<Upstream> upstreams) {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> TOP = Set.of("proxied_service_name",
      "proxied_service_namespace", "public_listener", "upstreams");
  private static final Set<String> LISTENER = Set.of("bind_address", "bind_port",
      "local_service_address", "local_connect_timeout_ms");
  private static final Set<String> UPSTREAM = Set.of("destination_name", "destination_type",
      "destination_namespace", "local_bind_address", "local_bind_port", "static_address");

  /** Checks the values and copies the list. */
  public ProxyConfigFile {
    requireNonNull(service, "service");
    requireNonNull(listen, "listen");
    requireNonNull(application, "application");
    requireNonNull(connectTimeout, "connectTimeout");
    upstreams = List.copyOf(upstreams);
    if (listen.isPresent() != application.isPresent()) {
      throw new IllegalArgumentException("listen and application go together");
    }
  }

  /**
   * Reads and checks a configuration file.
   *
   * @param file the JSON file
   * @return the configuration
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file, the path in it and the value, if the JSON
   *     is malformed, a name is unknown or unsupported, or a value is invalid
   */
  public static ProxyConfigFile read(Path file) throws IOException {
    requireNonNull(file, "file");
    byte[] bytes = Files.readAllBytes(file);
    try {
      return parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses a configuration from its JSON text.
   *
   * @param json the UTF-8 JSON
   * @return the configuration
   * @throws IllegalArgumentException naming the path in the JSON and the value, if the JSON is
   *     malformed, a name is unknown or unsupported, or a value is invalid
   */
  public static ProxyConfigFile parse(byte[] json) {
    requireNonNull(json, "json");
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the configuration must be a JSON object");
    }
    known(root, "", TOP);
    Optional<String> service = string(root, "proxied_service_name", "");
    service.ifPresent(s -> check(() -> ServiceNames.check(s), "proxied_service_name", s));
    namespace(root, "proxied_service_namespace", "");

    Optional<InetSocketAddress> listen = Optional.empty();
    Optional<InetSocketAddress> application = Optional.empty();
    Optional<Duration> connectTimeout = Optional.empty();
    JsonNode pl = root.get("public_listener");
    if (pl != null && !pl.isNull()) {
      String p = "public_listener.";
      if (!pl.isObject()) {
        throw new IllegalArgumentException("public_listener must be an object, not " + pl);
      }
      known(pl, p, LISTENER);
      InetAddress bind = host(string(pl, "bind_address", p).orElse("0.0.0.0"),
          p + "bind_address");
      int port = port(pl, "bind_port", p).orElseThrow(() ->
          new IllegalArgumentException(p + "bind_port is missing"));
      listen = Optional.of(new InetSocketAddress(bind, port));
      String local = string(pl, "local_service_address", p).orElseThrow(() ->
          new IllegalArgumentException(p + "local_service_address (host:port) is missing"));
      application = Optional.of(hostPort(local, p + "local_service_address"));
      JsonNode ms = pl.get("local_connect_timeout_ms");
      if (ms != null && !ms.isNull()) {
        if (!ms.canConvertToInt() || !ms.isIntegralNumber() || ms.intValue() <= 0) {
          throw new IllegalArgumentException(p + "local_connect_timeout_ms must be a positive"
              + " number of milliseconds, not " + ms);
        }
        connectTimeout = Optional.of(Duration.ofMillis(ms.intValue()));
      }
    }

    List<Upstream> upstreams = new ArrayList<>();
    JsonNode us = root.get("upstreams");
    if (us != null && !us.isNull()) {
      if (!us.isArray()) {
        throw new IllegalArgumentException("upstreams must be an array, not " + us);
      }
      for (int i = 0; i < us.size(); i++) {
        upstreams.add(upstream(us.get(i), "upstreams[" + i + "]."));
      }
    }
    return new ProxyConfigFile(service, listen, application, connectTimeout, upstreams);
  }

  private static Upstream upstream(JsonNode u, String p) {
    if (!u.isObject()) {
      throw new IllegalArgumentException(p.substring(0, p.length() - 1)
          + " must be an object, not " + u);
    }
    known(u, p, UPSTREAM);
    String name = string(u, "destination_name", p).orElseThrow(() ->
        new IllegalArgumentException(p + "destination_name is missing"));
    Optional<String> type = string(u, "destination_type", p);
    if (type.isPresent() && !type.get().equals("service")) {
      throw new IllegalArgumentException(p + "destination_type " + type.get()
          + " is not supported; only service");
    }
    namespace(u, "destination_namespace", p);
    InetAddress bind = host(string(u, "local_bind_address", p).orElse("127.0.0.1"),
        p + "local_bind_address");
    int port = port(u, "local_bind_port", p).orElseThrow(() ->
        new IllegalArgumentException(p + "local_bind_port is missing"));
    Optional<InetSocketAddress> fixed = string(u, "static_address", p)
        .map(a -> hostPort(a, p + "static_address"));
    try {
      return new Upstream(name, new InetSocketAddress(bind, port), fixed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(p + "destination_name \"" + name + "\": "
          + e.getMessage(), e);
    }
  }

  private static void known(JsonNode object, String prefix, Set<String> names) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!names.contains(n)) {
        throw new IllegalArgumentException(prefix + n + " is not supported (known here: "
            + String.join(", ", new java.util.TreeSet<>(names)) + ")");
      }
    }
  }

  private static Optional<String> string(JsonNode object, String name, String prefix) {
    JsonNode v = object.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(prefix + name + " must be a string, not " + v);
    }
    return v.textValue().isEmpty() ? Optional.empty() : Optional.of(v.textValue());
  }

  private static void namespace(JsonNode object, String name, String prefix) {
    Optional<String> ns = string(object, name, prefix);
    if (ns.isPresent() && !ns.get().equals("default")) {
      throw new IllegalArgumentException(prefix + name + " " + ns.get()
          + " is not supported; only default");
    }
  }

  private static Optional<Integer> port(JsonNode object, String name, String prefix) {
    JsonNode v = object.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0
        || v.intValue() > 65535) {
      throw new IllegalArgumentException(prefix + name + " must be a port from 0 to 65535, not "
          + v);
    }
    return Optional.of(v.intValue());
  }

  private static InetAddress host(String host, String path) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(path + ": unknown host \"" + host + "\"", e);
    }
  }

  private static InetSocketAddress hostPort(String text, String path) {
    try {
      return Upstream.address(text, path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  private static void check(Runnable check, String path, String value) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + " \"" + value + "\": " + e.getMessage(), e);
    }
  }
}
