package dev.connect.ca.internal;

import dev.connect.core.AgentId;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * The subject common names Consul 1.7 to 1.10 write ({@code agent/connect/common_names.go}).
 *
 * <p>A common name is limited to 64 characters, and Consul keeps it a valid DNS name; the SPIFFE
 * ID in the URI SAN is the identity, the CN is only a label.
 */
public final class CommonNames {
  // 64 (longest CN) - 21: ".consul" (7), ".<td8>" (9) and ".svc." (5).
  private static final int MAX_SERVICE_AND_NAMESPACE = 64 - 21;
  private static final int MIN_SERVICE = 15;
  private static final int MIN_NAMESPACE = 15;

  private CommonNames() {}

  /**
   * Returns Consul's {@code CompactUID}: a random 64-bit value as signed base 36, cut to 8
   * characters. A negative value keeps its {@code -}, which {@link #rootCn} strips, so a UID
   * shows as 7 or 8 characters, as in Consul.
   */
  public static String compactUid(SecureRandom random) {
    return truncate(Long.toString(random.nextLong(), 36), 8);
  }

  /**
   * Returns the CN of a primary datacenter's root: {@code pri-<uid>.consul.ca.<td8>.consul},
   * where td8 is the first 8 characters of the cluster ID (Consul's {@code CACN}).
   */
  public static String rootCn(String uid, SigningId trustDomain) {
    return "pri-" + truncate(sanitize(uid), 8) + ".consul.ca."
        + truncate(trustDomain.clusterId(), 8) + ".consul";
  }

  /**
   * Returns the CN of a service leaf: {@code <svc>.svc.<ns>.<td8>.consul}, the service name
   * lower-cased with everything but {@code [a-z0-9]} removed, service and namespace cut to 43
   * characters together (Consul's {@code ServiceCN}).
   */
  public static String serviceCn(ServiceId id) {
    String svc = sanitize(id.service());
    String ns = id.namespace();
    int total = svc.length() + ns.length();
    if (total > MAX_SERVICE_AND_NAMESPACE) {
      int remove = total - MAX_SERVICE_AND_NAMESPACE;
      if (svc.length() <= MIN_SERVICE) {
        ns = truncate(ns, ns.length() - remove);
      } else if (ns.length() <= MIN_NAMESPACE) {
        svc = truncate(svc, svc.length() - remove);
      } else {
        // An odd byte comes off the service name, as in Consul.
        int svcKeep = svc.length() - remove / 2 - remove % 2;
        int nsKeep = ns.length() - remove / 2;
        if (svcKeep <= MIN_SERVICE) {
          svcKeep = MIN_SERVICE;
          nsKeep = MAX_SERVICE_AND_NAMESPACE - MIN_SERVICE;
        } else if (nsKeep <= MIN_NAMESPACE) {
          svcKeep = MAX_SERVICE_AND_NAMESPACE - MIN_NAMESPACE;
          nsKeep = MIN_NAMESPACE;
        }
        svc = truncate(svc, svcKeep);
        ns = truncate(ns, nsKeep);
      }
    }
    String td = id.trustDomain();
    int dot = td.indexOf('.');
    String clusterId = dot > 0 ? td.substring(0, dot) : td;
    return svc + ".svc." + ns + "." + truncate(clusterId, 8) + ".consul";
  }

  /**
   * Returns the CN of an agent leaf: {@code <node>.agnt.<td8>.consul}, the node name sanitized
   * as a service name (Consul's {@code AgentCN}).
   */
  public static String agentCn(AgentId id) {
    String td = id.trustDomain();
    int dot = td.indexOf('.');
    String clusterId = dot > 0 ? td.substring(0, dot) : td;
    return sanitize(id.node()) + ".agnt." + truncate(clusterId, 8) + ".consul";
  }

  private static String sanitize(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String truncate(String s, int n) {
    return s.length() > n ? s.substring(0, n) : s;
  }
}
