package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.core.AgentId;
import dev.connect.core.ConnectId;
import dev.connect.core.UntrustedText;
import java.net.InetAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A request for the certificate of a Connect agent itself, the one its HTTPS API presents: a
 * leaf for the agent's SPIFFE ID ({@code spiffe://<td>/agent/client/dc/<dc>/id/<node>}, Consul's
 * auto-encrypt agent identity) that also names the DNS names and IP addresses clients reach the
 * agent by. As Consul does for agent CSRs, {@code localhost}, {@code 127.0.0.1} and {@code ::1}
 * are always added.
 *
 * <p>Unlike a {@link CertificateRequest}, this one never comes from a client over the wire: the
 * agent makes it in-process for its own key, so it carries the public key rather than a CSR.
 * The leaf profile is a service leaf's (key usage, both extended key usages, CA:FALSE, the leaf
 * TTL, back-dated a minute), with the extra names in its subject alternative names.
 *
 * @param agent the agent identity; its partition must be {@code default}
 * @param publicKey the key to certify, one a leaf may carry ({@link
 *     CaConfiguration#allowsLeafKey})
 * @param dnsNames the DNS names, lower-cased, {@code localhost} first, without duplicates
 * @param ipAddresses the IP addresses, {@code 127.0.0.1} and {@code ::1} first, without
 *     duplicates
 */
public record AgentCertificateRequest(AgentId agent, PublicKey publicKey, List<String> dnsNames,
    List<InetAddress> ipAddresses) {
  /** At most this many names of each kind: a certificate, not a directory. */
  public static final int MAX_NAMES = 64;

  // RFC 1123 host names: labels of letters, digits and inner hyphens, at most 63 characters each.
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /**
   * Validates every part and adds Consul's loopback names.
   *
   * @throws IllegalArgumentException if a DNS name is not a host name (wildcards included), the
   *     agent is not in the default partition, or there are more than {@value #MAX_NAMES} names
   *     of a kind
   */
  public AgentCertificateRequest {
    requireNonNull(agent, "agent");
    requireNonNull(publicKey, "publicKey");
    requireNonNull(dnsNames, "dnsNames");
    requireNonNull(ipAddresses, "ipAddresses");
    if (!agent.partition().equals(ConnectId.DEFAULT_PARTITION)) {
      throw new IllegalArgumentException("agent " + agent + " is in partition "
          + UntrustedText.shown(agent.partition())
          + "; admin partitions are a Consul Enterprise feature this CA does not support");
    }
    LinkedHashSet<String> dns = new LinkedHashSet<>();
    dns.add("localhost");
    for (String name : dnsNames) {
      dns.add(dnsName(requireNonNull(name, "dnsNames element")));
    }
    LinkedHashSet<InetAddress> ips = new LinkedHashSet<>();
    ips.add(loopback4());
    ips.add(loopback6());
    for (InetAddress ip : ipAddresses) {
      ips.add(requireNonNull(ip, "ipAddresses element"));
    }
    if (dns.size() > MAX_NAMES || ips.size() > MAX_NAMES) {
      throw new IllegalArgumentException("an agent certificate names at most " + MAX_NAMES
          + " DNS names and " + MAX_NAMES + " IP addresses, not " + dns.size() + " and "
          + ips.size());
    }
    dnsNames = List.copyOf(dns);
    ipAddresses = List.copyOf(new ArrayList<>(ips));
  }

  /**
   * Returns the request for an agent's key with the names given plus Consul's loopback names.
   *
   * @param agent the agent identity
   * @param publicKey the key to certify
   * @param dnsNames extra DNS names, such as {@code agent.example.com}
   * @param ipAddresses extra IP addresses
   * @return the request
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static AgentCertificateRequest of(AgentId agent, PublicKey publicKey,
      List<String> dnsNames, List<InetAddress> ipAddresses) {
    return new AgentCertificateRequest(agent, publicKey, dnsNames, ipAddresses);
  }

  /**
   * Checks a DNS name for an agent certificate: a host name of letters, digits and inner
   * hyphens (no wildcard), at most 253 characters.
   *
   * @param name the name, such as {@code Agent.Example.com}
   * @return the name lower-cased, without a trailing dot
   * @throws IllegalArgumentException naming the value if it is not such a name
   */
  public static String dnsName(String name) {
    requireNonNull(name, "name");
    String lower = name.toLowerCase(Locale.ROOT);
    String trimmed = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    if (trimmed.isEmpty() || trimmed.length() > 253) {
      throw new IllegalArgumentException("not a DNS name: " + UntrustedText.shown(name));
    }
    for (String label : trimmed.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException("not a DNS name (labels are letters, digits and"
            + " inner hyphens; no wildcards): " + UntrustedText.shown(name));
      }
    }
    return trimmed;
  }

  private static InetAddress loopback4() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError("four bytes are an IPv4 address", e);
    }
  }

  private static InetAddress loopback6() {
    byte[] b = new byte[16];
    b[15] = 1;
    try {
      return InetAddress.getByAddress("localhost", b);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError("sixteen bytes are an IPv6 address", e);
    }
  }
}
