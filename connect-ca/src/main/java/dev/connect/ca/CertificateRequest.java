package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.internal.Csrs;
import dev.connect.ca.internal.Csrs.RequestedExtensions;
import dev.connect.ca.internal.KeyDescription;
import dev.connect.ca.internal.LeafKeys;
import dev.connect.core.UntrustedText;
import dev.connect.core.AgentId;
import dev.connect.core.ConnectId;
import dev.connect.core.InvalidCsrException;
import dev.connect.core.InvalidCsrException.Problem;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.ServiceNames;
import dev.connect.core.SigningId;
import java.security.PublicKey;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A PKCS#10 certificate signing request that passed the CA's checks: the only input a {@link
 * CaProvider} signs.
 *
 * <p>{@link #validate} makes these checks, in this order, and refuses the first one that fails
 * with an {@link InvalidCsrException} whose {@link InvalidCsrException#problem() problem} names
 * the check and whose message names the offending value:
 *
 * <ol>
 *   <li>{@link Problem#MALFORMED}: the text is one PEM {@code CERTIFICATE REQUEST} block of at
 *       most 64 KiB holding a decodable PKCS#10 request, with decodable extensions;
 *   <li>{@link Problem#KEY_NOT_ALLOWED}: the public key is one a leaf may carry, see {@link
 *       CaConfiguration#allowsLeafKey(PublicKey)}. This is decided from the encoded key alone
 *       (its algorithm, named curve, RSA modulus length and exponent), before the key is decoded
 *       or the signature verified, so that a request with a huge DSA or RSA key costs no more
 *       than any other. An allowed key whose encoding then turns out to be broken (an EC point
 *       not on its curve) is {@link Problem#MALFORMED};
 *   <li>{@link Problem#BAD_SIGNATURE}: the request's self-signature verifies with the public key
 *       it carries, proving the requester holds the private key;
 *   <li>{@link Problem#NO_URI_SAN}, {@link Problem#MULTIPLE_URI_SANS}: the requested subject
 *       alternative names hold exactly one URI (DNS names and IP addresses are ignored; a leaf
 *       carries only the URI);
 *   <li>{@link Problem#NOT_A_SERVICE_ID}: that URI is a SPIFFE ID in Connect's service form, not
 *       an agent or signing ID;
 *   <li>{@link Problem#WRONG_TRUST_DOMAIN}, {@link Problem#WRONG_DATACENTER}: it belongs to this
 *       CA's trust domain and to this server's datacenter;
 *   <li>{@link Problem#NAMESPACE_NOT_SUPPORTED}: its namespace and admin partition are both
 *       {@code default}. Namespaces and partitions are a Consul Enterprise feature this CA does
 *       not support; intentions only match the {@code default} namespace and ACL {@code
 *       service:write} is keyed by service name alone, so a leaf for another namespace would
 *       escape every intention about its service;
 *   <li>{@link Problem#NOT_A_SERVICE_ID}: its service name follows {@link ServiceNames} (lower
 *       case, at most {@value ServiceNames#MAX_LENGTH} characters), the rule every intention
 *       write follows, so that every leaf names a service an intention can cover;
 *   <li>{@link Problem#CA_REQUESTED}: the request does not ask for basic constraints CA:TRUE, nor
 *       for the keyCertSign or cRLSign key usage.
 * </ol>
 *
 * <p>The subject and all other requested extensions are ignored: the CA decides the profile.
 * Consul checks the datacenter before the trust domain; both are refused either way. Messages
 * show at most the first few of a list the request carries, such as its SANs. Instances are
 * immutable.
 */
public final class CertificateRequest {
  // A 64 KiB CSR can carry thousands of SANs; a message shows this many (review finding: every
  // SAN went into the message, and so into the log).
  private static final int SHOWN_SANS = 5;

  private final byte[] der;
  private final PKCS10CertificationRequest csr;
  private final ServiceId serviceId;
  private final PublicKey publicKey;

  private CertificateRequest(byte[] der, PKCS10CertificationRequest csr, ServiceId serviceId,
      PublicKey publicKey) {
    this.der = der;
    this.csr = csr;
    this.serviceId = serviceId;
    this.publicKey = publicKey;
  }

  /**
   * Parses and checks a CSR as the CA of {@code trustDomain} in {@code datacenter}.
   *
   * @param csrPem the request as a PEM {@code CERTIFICATE REQUEST} block
   * @param trustDomain the CA's trust domain
   * @param datacenter the datacenter of the server that signs, for example {@code dc1}
   * @param config the CA configuration
   * @return the validated request
   * @throws InvalidCsrException if a check fails; see the class description for their order
   * @throws IllegalArgumentException if {@code datacenter} is empty
   */
  public static CertificateRequest validate(String csrPem, SigningId trustDomain,
      String datacenter, CaConfiguration config) {
    requireNonNull(csrPem, "csrPem");
    requireNonNull(trustDomain, "trustDomain");
    requireNonNull(datacenter, "datacenter");
    requireNonNull(config, "config");
    if (datacenter.isEmpty()) {
      throw new IllegalArgumentException("datacenter must not be empty");
    }

    byte[] der = Csrs.pemContent(csrPem);
    PKCS10CertificationRequest csr = Csrs.parse(der);
    RequestedExtensions requested = RequestedExtensions.of(csr);
    // The key rule reads the encoding only; decoding the key (BouncyCastle validates DSA
    // parameters) and verifying with it are what a huge key makes slow.
    LeafKeys.check(csr.getSubjectPublicKeyInfo());
    PublicKey publicKey = Csrs.publicKey(csr.getSubjectPublicKeyInfo());
    Csrs.checkSignature(csr, publicKey);
    ServiceId serviceId = serviceId(requested);
    if (!trustDomain.canSign(serviceId)) {
      throw fail(Problem.WRONG_TRUST_DOMAIN, "SPIFFE ID in CSR from a different trust domain: "
          + serviceId.trustDomain() + ", we are " + trustDomain.trustDomain());
    }
    if (!serviceId.datacenter().equals(datacenter)) {
      throw fail(Problem.WRONG_DATACENTER, "SPIFFE ID in CSR from a different datacenter: "
          + serviceId.datacenter() + ", we are " + datacenter);
    }
    if (!serviceId.namespace().equals(ConnectId.DEFAULT_NAMESPACE)
        || !serviceId.partition().equals(ConnectId.DEFAULT_PARTITION)) {
      throw fail(Problem.NAMESPACE_NOT_SUPPORTED, "SPIFFE ID in CSR names namespace "
          + UntrustedText.shown(serviceId.namespace()) + " in partition "
          + UntrustedText.shown(serviceId.partition())
          + "; namespaces and admin partitions are a Consul"
          + " Enterprise feature this CA does not support: it signs only the default namespace"
          + " of the default partition");
    }
    try {
      ServiceNames.check(serviceId.service());
    } catch (IllegalArgumentException e) {
      throw fail(Problem.NOT_A_SERVICE_ID, "SPIFFE ID in CSR names a service no intention can"
          + " name: " + e.getMessage());
    }
    requested.checkNotCa();
    return new CertificateRequest(der, csr, serviceId, publicKey);
  }

  /** Returns the service identity the certificate will carry: the CSR's URI SAN. */
  public ServiceId serviceId() {
    return serviceId;
  }

  /** Returns the public key the certificate will certify. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** Returns the DER encoding of the request as received, for a provider that forwards it. */
  public byte[] encoded() {
    return der.clone();
  }

  /** Returns the public key as it appears in the request, DER-ready. */
  SubjectPublicKeyInfo subjectPublicKeyInfo() {
    return csr.getSubjectPublicKeyInfo();
  }

  /** Returns the identity and the kind of key: {@code CertificateRequest[spiffe://..., EC P-256]}. */
  @Override
  public String toString() {
    return "CertificateRequest[" + serviceId + ", " + KeyDescription.of(publicKey) + "]";
  }

  private static ServiceId serviceId(RequestedExtensions requested) {
    List<String> uris = requested.uris();
    if (uris.isEmpty()) {
      List<String> others = requested.otherNames();
      throw fail(Problem.NO_URI_SAN, "CSR has no URI subject alternative name; found "
          + (others.isEmpty() ? "no subject alternative names at all"
              : "only " + UntrustedText.firstOf(others, SHOWN_SANS)));
    }
    if (uris.size() > 1) {
      throw fail(Problem.MULTIPLE_URI_SANS, "CSR has " + uris.size()
          + " URI subject alternative names, exactly one is allowed: "
          + UntrustedText.firstOf(uris, SHOWN_SANS));
    }
    String uri = uris.get(0);
    ConnectId id;
    try {
      id = ConnectId.parse(uri);
    } catch (InvalidSpiffeIdException e) {
      throw fail(Problem.NOT_A_SERVICE_ID,
          "URI SAN in CSR is not a SPIFFE service ID: " + e.getMessage());
    }
    if (id instanceof ServiceId serviceId) {
      return serviceId;
    }
    throw fail(Problem.NOT_A_SERVICE_ID, "SPIFFE ID in CSR must be a service ID, not "
        + (id instanceof AgentId ? "an agent ID: " : "a signing (CA) ID: ")
        + UntrustedText.shown(uri));
  }

  private static InvalidCsrException fail(Problem problem, String message) {
    return new InvalidCsrException(problem, message);
  }
}
