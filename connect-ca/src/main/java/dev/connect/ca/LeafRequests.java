package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import dev.connect.ca.internal.Jca;
import dev.connect.core.ServiceId;
import java.io.IOException;
import java.io.StringWriter;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Makes leaf keys and CSRs the way a Consul agent does: an EC P-256 key pair, and a PKCS#10
 * request with an empty subject and the service's SPIFFE ID as its single URI subject alternative
 * name, signed with ECDSA and SHA-256.
 *
 * <pre>{@code
 * KeyPair keys = LeafRequests.newKeyPair();
 * String csr = LeafRequests.csrPem(ServiceId.of("7f3c.consul", "dc1", "web"), keys);
 * X509Certificate leaf = ca.sign(CertificateRequest.validate(csr, trustDomain, "dc1", config));
 * }</pre>
 *
 * <p>For agents, tests and benchmarks; thread-safe.
 */
public final class LeafRequests {
  private static final X500Name EMPTY_SUBJECT = new X500Name(new RDN[0]);

  private LeafRequests() {}

  /**
   * Generates a new EC P-256 key pair for a leaf, as Consul agents do whatever the CA's key.
   *
   * @return the key pair
   */
  public static KeyPair newKeyPair() {
    return Jca.generateEcKeyPair("secp256r1");
  }

  /**
   * Returns a leaf's private key as an unencrypted PKCS#8 PEM block ({@code PRIVATE KEY}), for
   * programs that read keys from files. Whoever holds it is the service until its certificate
   * expires: write it only to a file readable by its owner alone.
   *
   * @param privateKey the leaf's private key
   * @return the key in PEM, ending in a newline
   */
  public static String exportPrivateKeyPkcs8Pem(java.security.PrivateKey privateKey) {
    return dev.connect.ca.internal.PrivateKeys.toPkcs8Pem(
        requireNonNull(privateKey, "privateKey"));
  }

  /**
   * Returns a PEM {@code CERTIFICATE REQUEST} for {@code service}, signed by {@code keyPair}.
   *
   * @param service the identity the leaf should carry
   * @param keyPair an EC or RSA key pair; ECDSA or RSA with SHA-256 signs the request
   * @return the CSR in PEM, ending in a newline
   * @throws IllegalArgumentException if the key is neither EC nor RSA
   */
  public static String csrPem(ServiceId service, KeyPair keyPair) {
    requireNonNull(service, "service");
    requireNonNull(keyPair, "keyPair");
    GeneralNames san = new GeneralNames(
        new GeneralName(GeneralName.uniformResourceIdentifier, service.toString()));
    try {
      Extensions extensions = new Extensions(new Extension(Extension.subjectAlternativeName,
          false, san.getEncoded()));
      PKCS10CertificationRequest csr =
          new JcaPKCS10CertificationRequestBuilder(EMPTY_SUBJECT, keyPair.getPublic())
              .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions)
              .build(Jca.signer(keyPair.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(csr);
      }
      return out.toString();
    } catch (IOException e) {
      throw new AssertionError("a CSR built in memory cannot be encoded", e);
    }
  }
}
