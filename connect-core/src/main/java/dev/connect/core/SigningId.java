package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * The signing identity of a trust domain, {@code spiffe://<td>} with no path: the URI SAN of a CA
 * root certificate.
 *
 * <p>Consul's trust domains have the form {@code <cluster-id>.consul}; {@link #clusterId()} is the
 * text before the first dot.
 *
 * @param trustDomain the trust domain, for example {@code 5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul}
 */
public record SigningId(String trustDomain) implements ConnectId {

  /**
   * Validates the trust domain.
   *
   * @throws InvalidSpiffeIdException if it is not a valid SPIFFE trust domain, or has no dot
   *     after a non-empty cluster ID (Consul's rule for a signing ID)
   */
  public SigningId {
    requireNonNull(trustDomain, "trustDomain");
    SpiffeId id = SpiffeId.of(trustDomain);
    if (trustDomain.indexOf('.') <= 0) {
      throw new InvalidSpiffeIdException(id.toString(),
          "a signing ID's trust domain must be <cluster-id>.<domain>");
    }
  }

  /**
   * Returns the signing identity of a trust domain.
   *
   * @param trustDomain the trust domain, for example {@code 7f3c.consul}
   * @return the identity
   * @throws InvalidSpiffeIdException if the trust domain is not valid for a signing ID
   */
  public static SigningId of(String trustDomain) {
    return new SigningId(trustDomain);
  }

  /** Returns the cluster ID: the trust domain up to its first dot. */
  public String clusterId() {
    return trustDomain.substring(0, trustDomain.indexOf('.'));
  }

  /**
   * Tells whether a CA with this identity may sign for {@code service}: the trust domains are
   * equal.
   *
   * @param service the identity a certificate would carry
   * @return true when {@code service} is in this trust domain
   */
  public boolean canSign(ServiceId service) {
    return trustDomain.equals(requireNonNull(service, "service").trustDomain());
  }

  @Override
  public SpiffeId spiffeId() {
    return SpiffeId.of(trustDomain);
  }

  /** Returns the SPIFFE ID as text. */
  @Override
  public String toString() {
    return "spiffe://" + trustDomain;
  }
}
