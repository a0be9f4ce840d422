package dev.connect.ca;

import dev.connect.ca.internal.Jca;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made directly with BouncyCastle, for cases our CA never produces. */
final class TestCertificates {
  private TestCertificates() {}

  /**
   * A self-signed EC P-256 CA certificate with the given URI SANs, as a root to cross-sign must
   * have; {@code pathLen} negative for none.
   */
  static X509Certificate selfSignedCa(int pathLen, String... uriSans) {
    return selfSigned(LeafRequests.newKeyPair(), "CN=Test CA", pathLen < 0
        ? new BasicConstraints(true) : new BasicConstraints(pathLen), true, uriSans);
  }

  static X509Certificate selfSigned(KeyPair keys, String subject, BasicConstraints constraints,
      boolean certSign, String... uriSans) {
    try {
      X500Name name = new X500Name(subject);
      Instant now = Instant.parse("2030-01-01T00:00:00Z");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          BigInteger.TEN, Date.from(now), Date.from(now.plusSeconds(86400L * 3650)), name,
          keys.getPublic());
      if (constraints != null) {
        builder.addExtension(Extension.basicConstraints, true, constraints);
      }
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(certSign
          ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (uriSans.length > 0) {
        GeneralName[] names = new GeneralName[uriSans.length];
        for (int i = 0; i < names.length; i++) {
          names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uriSans[i]);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      String algorithm = keys.getPublic().getAlgorithm().startsWith("RSA")
          ? "SHA256withRSA" : "SHA256withECDSA";
      return Jca.toX509(builder.build(new JcaContentSignerBuilder(algorithm)
          .setProvider(Jca.provider()).build(keys.getPrivate())));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
