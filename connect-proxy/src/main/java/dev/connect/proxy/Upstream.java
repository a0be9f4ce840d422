package dev.connect.proxy;

import static java.util.Objects.requireNonNull;

import dev.connect.core.ServiceNames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An upstream of a proxy: a plain-TCP listener the local application connects to, and the
 * destination service the proxy dials with mutual TLS for each connection.
 *
 * <p>The destination's instances are the {@code fixedAddress} when there is one, else what the
 * proxy's {@link UpstreamDiscovery} knows of the destination (passing instances only).
 *
 * @param destination the service the dialed peer must prove to be, such as {@code db}
 * @param listen the local address the application connects to, such as {@code 127.0.0.1:9191}
 * @param fixedAddress the one address to dial, or empty to discover instances
 */
public record Upstream(String destination, InetSocketAddress listen,
    Optional<InetSocketAddress> fixedAddress) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the destination is not a valid service name, or an
   *     address is unresolved
   */
  public Upstream {
    requireNonNull(destination, "destination");
    requireNonNull(listen, "listen");
    requireNonNull(fixedAddress, "fixedAddress");
    ServiceNames.check(destination);
    if (listen.isUnresolved()) {
      throw new IllegalArgumentException("upstream " + destination + " listen address is"
          + " unresolved: " + listen);
    }
    if (fixedAddress.isPresent() && fixedAddress.get().isUnresolved()) {
      throw new IllegalArgumentException("upstream " + destination + " address is unresolved: "
          + fixedAddress.get());
    }
  }

  /**
   * Parses the command-line form {@code <destination>:<local-port>[@<addr:port>]}, as in {@code
   * db:9191} (discovered, listening on {@code 127.0.0.1:9191}) or {@code
   * db:9191@127.0.0.1:21001} (always dialing {@code 127.0.0.1:21001}).
   *
   * @param text the specification
   * @return the upstream, listening on 127.0.0.1
   * @throws IllegalArgumentException naming the text if it is malformed
   */
  public static Upstream parse(String text) {
    requireNonNull(text, "text");
    String spec = text;
    Optional<InetSocketAddress> fixed = Optional.empty();
    int at = text.indexOf('@');
    if (at >= 0) {
      fixed = Optional.of(address(text.substring(at + 1), text));
      spec = text.substring(0, at);
    }
    int colon = spec.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("upstream must be <destination>:<local-port>"
          + "[@<addr:port>], such as db:9191@127.0.0.1:21001, not \"" + text + "\"");
    }
    int port = port(spec.substring(colon + 1), text);
    try {
      return new Upstream(spec.substring(0, colon),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), fixed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("upstream \"" + text + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Parses {@code <host>:<port>} (an IPv6 host in brackets), resolving the host now.
   *
   * @param text the address
   * @param context what to name in an error, such as the whole option value
   * @return the resolved address
   * @throws IllegalArgumentException naming the text if it is malformed or does not resolve
   */
  static InetSocketAddress address(String text, String context) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address must be <host>:<port>, not \"" + text
          + "\" in \"" + context + "\"");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = port(text.substring(colon + 1), context);
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host \"" + host + "\" in \"" + context + "\"",
          e);
    }
  }

  private static int port(String text, String context) {
    int port;
    try {
      port = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number: \"" + text + "\" in \""
          + context + "\"", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port + " in \"" + context
          + "\"");
    }
    return port;
  }
}
