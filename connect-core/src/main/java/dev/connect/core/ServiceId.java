package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * The identity of a Connect service: {@code spiffe://<td>/ns/<ns>/dc/<dc>/svc/<service>}.
 *
 * <p>This is the single URI SAN of every leaf certificate the CA issues. The service is named by
 * its service name, never an instance ID. The partition appears in the URI (as {@code
 * /ap/<partition>} before {@code /ns}) only when it is not {@code default}, as Consul does.
 *
 * @param trustDomain the trust domain, for example {@code 7f3c.consul}
 * @param partition the admin partition, {@code default} outside Consul Enterprise
 * @param namespace the namespace, {@code default} outside Consul Enterprise
 * @param datacenter the datacenter, for example {@code dc1}
 * @param service the service name, for example {@code web}
 */
public record ServiceId(String trustDomain, String partition, String namespace,
    String datacenter, String service) implements ConnectId {

  /**
   * Validates every part by building the SPIFFE ID it stands for.
   *
   * @throws InvalidSpiffeIdException if a part is not a valid SPIFFE trust domain or segment
   */
  public ServiceId {
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(partition, "partition");
    requireNonNull(namespace, "namespace");
    requireNonNull(datacenter, "datacenter");
    requireNonNull(service, "service");
    toSpiffeId(trustDomain, partition, namespace, datacenter, service);
  }

  /**
   * Returns the identity of a service in the default partition and namespace.
   *
   * @param trustDomain the trust domain, for example {@code 7f3c.consul}
   * @param datacenter the datacenter, for example {@code dc1}
   * @param service the service name
   * @return the identity
   * @throws InvalidSpiffeIdException if a part is not valid in a SPIFFE ID
   */
  public static ServiceId of(String trustDomain, String datacenter, String service) {
    return new ServiceId(trustDomain, DEFAULT_PARTITION, DEFAULT_NAMESPACE, datacenter, service);
  }

  /**
   * Parses a service identity.
   *
   * @param uri text such as {@code spiffe://7f3c.consul/ns/default/dc/dc1/svc/web}
   * @return the identity
   * @throws InvalidSpiffeIdException if {@code uri} is not a valid SPIFFE ID in the service form
   */
  public static ServiceId parse(String uri) {
    ConnectId id = ConnectId.parse(uri);
    if (id instanceof ServiceId service) {
      return service;
    }
    throw new InvalidSpiffeIdException(uri, "not a service identity"
        + " (expected [/ap/<partition>]/ns/<ns>/dc/<dc>/svc/<service>)");
  }

  @Override
  public SpiffeId spiffeId() {
    return toSpiffeId(trustDomain, partition, namespace, datacenter, service);
  }

  /** Returns the SPIFFE ID as text. */
  @Override
  public String toString() {
    return spiffeId().toString();
  }

  private static SpiffeId toSpiffeId(String td, String ap, String ns, String dc, String svc) {
    return ap.equals(DEFAULT_PARTITION)
        ? SpiffeId.of(td, "ns", ns, "dc", dc, "svc", svc)
        : SpiffeId.of(td, "ap", ap, "ns", ns, "dc", dc, "svc", svc);
  }
}
