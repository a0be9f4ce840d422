package dev.connect.testkit;

import java.util.Locale;

/**
 * The SPIFFE IDs and subject common names of Consul Connect certificates, checked by the SPIFFE
 * rules (trust domain: {@code [a-z0-9._-]}; path segment: {@code [a-zA-Z0-9._-]}, never {@code .}
 * or {@code ..}). The toolkit depends on no other module of the project, so it cannot use
 * connect-core's {@code SpiffeId}; a test that wants a malformed ID writes it with {@code
 * TestLeaf.Builder#uri(String)}, which is taken as given.
 */
final class SpiffeNames {
  /** 64 (a CN's longest) less ".svc.", ".<td8>" and ".consul". */
  private static final int MAX_SERVICE_AND_NAMESPACE = 64 - 21;

  private SpiffeNames() {}

  /**
   * Returns {@code trustDomain} if it is a valid SPIFFE trust domain of Consul's form {@code
   * <cluster-id>.<domain>}.
   *
   * @throws IllegalArgumentException naming the trust domain and what is wrong with it
   */
  static String trustDomain(String trustDomain) {
    int dot = trustDomain.indexOf('.');
    if (dot <= 0 || dot == trustDomain.length() - 1) {
      throw new IllegalArgumentException("trust domain \"" + trustDomain
          + "\" is not of the form <cluster-id>.<domain>");
    }
    for (int i = 0; i < trustDomain.length(); i++) {
      char c = trustDomain.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        throw new IllegalArgumentException("trust domain \"" + trustDomain
            + "\" has the character '" + c + "' at " + i
            + "; a SPIFFE trust domain has only a-z, 0-9, '.', '-' and '_'");
      }
    }
    return trustDomain;
  }

  /**
   * Returns the SPIFFE ID {@code spiffe://<td>/ns/<ns>/dc/<dc>/svc/<svc>} of a Connect service.
   *
   * @throws IllegalArgumentException naming the part that is not valid
   */
  static String serviceUri(String trustDomain, String namespace, String datacenter,
      String service) {
    return "spiffe://" + trustDomain(trustDomain) + "/ns/" + segment("namespace", namespace)
        + "/dc/" + segment("datacenter", datacenter) + "/svc/" + segment("service", service);
  }

  private static String segment(String what, String value) {
    if (value.isEmpty() || value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(what + " \"" + value
          + "\" cannot be a SPIFFE path segment");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
          || c == '-' || c == '_')) {
        throw new IllegalArgumentException(what + " \"" + value + "\" has the character '" + c
            + "' at " + i + "; a SPIFFE path segment has only a-z, A-Z, 0-9, '.', '-' and '_'");
      }
    }
    return value;
  }

  /**
   * Returns the CN of a root as Consul writes it, {@code <prefix>-<uid>.consul.ca.<td8>.consul}:
   * {@code prefix} is {@code pri} for a primary datacenter's root, {@code sec} for an
   * intermediate, uid 8 random base-36 characters and td8 the cluster ID's first 8.
   */
  static String caCn(String prefix, String trustDomain) {
    String uid = Long.toString(Pki.RANDOM.nextLong() & Long.MAX_VALUE, 36);
    return prefix + "-" + first(uid, 8) + ".consul.ca." + first(clusterId(trustDomain), 8)
        + ".consul";
  }

  /**
   * Returns the CN of a service leaf, {@code <svc>.svc.<ns>.<td8>.consul}, with the service name
   * lower-cased and cut to {@code [a-z0-9]}: Consul's form for service and namespace names
   * shorter than 43 characters together. Longer ones are cut to fit the 64 characters of a CN,
   * more simply than Consul does (the CN is only a label; the URI SAN is the identity).
   */
  static String serviceCn(String service, String namespace, String trustDomain) {
    StringBuilder svc = new StringBuilder();
    for (char c : service.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        svc.append(c);
      }
    }
    String ns = namespace;
    if (svc.length() + ns.length() > MAX_SERVICE_AND_NAMESPACE) {
      ns = first(ns, Math.max(15, MAX_SERVICE_AND_NAMESPACE - svc.length()));
    }
    return first(svc.toString(), MAX_SERVICE_AND_NAMESPACE - ns.length()) + ".svc." + ns + "."
        + first(clusterId(trustDomain), 8) + ".consul";
  }

  private static String clusterId(String trustDomain) {
    int dot = trustDomain.indexOf('.');
    return dot > 0 ? trustDomain.substring(0, dot) : trustDomain;
  }

  private static String first(String s, int n) {
    return s.length() > n ? s.substring(0, n) : s;
  }
}
