package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.connect.core.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * The certificate profiles of Consul 1.10's built-in CA, asserted with the JDK's X509Certificate
 * API. Each profile test runs these against our certificates and against Consul's own.
 */
final class ProfileAssertions {
  static final String KEY_USAGE = "2.5.29.15";
  static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  static final String BASIC_CONSTRAINTS = "2.5.29.19";
  static final String SUBJECT_KEY_ID = "2.5.29.14";
  static final String AUTHORITY_KEY_ID = "2.5.29.35";
  static final String SUBJECT_ALT_NAME = "2.5.29.17";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  // digitalSignature(0), nonRepudiation(1), keyEncipherment(2), dataEncipherment(3),
  // keyAgreement(4), keyCertSign(5), cRLSign(6), encipherOnly(7), decipherOnly(8)
  private static final boolean[] CA_KEY_USAGE =
      {true, false, false, false, false, true, true, false, false};
  private static final boolean[] LEAF_KEY_USAGE =
      {true, false, true, true, true, false, false, false, false};

  private ProfileAssertions() {}

  /** A Consul root: self-signed, CA:TRUE without path length, SHA-256 key IDs, one URI SAN. */
  static void assertRootProfile(X509Certificate root, String trustDomain) {
    assertThat(root.getVersion()).isEqualTo(3);
    assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
    assertThat(root.getSubjectX500Principal().getName())
        .matches("CN=pri-[a-z0-9]{7,8}\\.consul\\.ca\\." + trustDomain.substring(0, 8)
            + "\\.consul");
    assertThat(uriSans(root)).containsExactly("spiffe://" + trustDomain);
    assertThat(allSans(root)).hasSize(1);
    assertThat(root.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        KEY_USAGE, BASIC_CONSTRAINTS);
    assertThat(root.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        SUBJECT_KEY_ID, AUTHORITY_KEY_ID, SUBJECT_ALT_NAME);
    assertThat(root.getBasicConstraints()).as("CA:TRUE, no path length")
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(padded(root.getKeyUsage())).containsExactly(CA_KEY_USAGE);
    assertThat(extendedKeyUsage(root)).isNull();
    byte[] keyId = sha256(root.getPublicKey().getEncoded());
    assertThat(subjectKeyId(root)).hasSize(32).isEqualTo(keyId);
    assertThat(authorityKeyId(root)).isEqualTo(keyId);
    assertThat(root.getSigAlgName()).isEqualTo(expectedSignature(root));
    assertThatCode(() -> root.verify(root.getPublicKey())).doesNotThrowAnyException();
  }

  /** A Consul leaf for {@code spiffeId} under {@code issuer}. */
  static void assertLeafProfile(X509Certificate leaf, X509Certificate issuer, String spiffeId,
      String commonName, Duration ttl) {
    assertThat(leaf.getVersion()).isEqualTo(3);
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=" + commonName);
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(issuer.getSubjectX500Principal());
    assertThat(uriSans(leaf)).containsExactly(spiffeId);
    assertThat(allSans(leaf)).as("no DNS or IP SANs").hasSize(1);
    assertThat(leaf.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        KEY_USAGE, BASIC_CONSTRAINTS);
    assertThat(leaf.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        EXTENDED_KEY_USAGE, SUBJECT_KEY_ID, AUTHORITY_KEY_ID, SUBJECT_ALT_NAME);
    assertThat(padded(leaf.getKeyUsage())).containsExactly(LEAF_KEY_USAGE);
    assertThat(extendedKeyUsage(leaf)).containsExactly(CLIENT_AUTH, SERVER_AUTH);
    assertThat(leaf.getBasicConstraints()).as("CA:FALSE").isEqualTo(-1);
    assertThat(leaf.getExtensionValue(BASIC_CONSTRAINTS)).as("CA:FALSE written out").isNotNull();
    assertThat(subjectKeyId(leaf)).hasSize(32).isEqualTo(sha256(leaf.getPublicKey().getEncoded()));
    assertThat(authorityKeyId(leaf)).isEqualTo(subjectKeyId(issuer));
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(ttl);
    assertThat(leaf.getSigAlgName()).isEqualTo(expectedSignature(issuer));
    assertThatCode(() -> leaf.verify(issuer.getPublicKey())).doesNotThrowAnyException();
  }

  /** {@code newRoot} cross-signed by {@code oldRoot}, as Consul does during a rotation. */
  static void assertCrossSignedProfile(X509Certificate cross, X509Certificate oldRoot,
      X509Certificate newRoot) {
    // Twice the default 72 h leaf TTL: never past the pruning of the root that issued it.
    assertCrossSignedProfile(cross, oldRoot, newRoot, Duration.ofDays(6));
  }

  /** As above, valid for {@code validity}: Consul's own are valid for 7 days. */
  static void assertCrossSignedProfile(X509Certificate cross, X509Certificate oldRoot,
      X509Certificate newRoot, Duration validity) {
    assertThat(cross.getVersion()).isEqualTo(3);
    assertThat(cross.getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal());
    assertThat(cross.getIssuerX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
    assertThat(cross.getPublicKey()).isEqualTo(newRoot.getPublicKey());
    assertThat(cross.getSerialNumber()).isNotEqualTo(newRoot.getSerialNumber());
    assertThat(cross.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        KEY_USAGE, BASIC_CONSTRAINTS);
    assertThat(cross.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        SUBJECT_KEY_ID, AUTHORITY_KEY_ID, SUBJECT_ALT_NAME);
    assertThat(padded(cross.getKeyUsage())).containsExactly(CA_KEY_USAGE);
    assertThat(cross.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(subjectKeyId(cross)).isEqualTo(subjectKeyId(newRoot));
    assertThat(authorityKeyId(cross)).isEqualTo(subjectKeyId(oldRoot));
    assertThat(allSans(cross)).isEqualTo(allSans(newRoot));
    assertThat(Duration.between(cross.getNotBefore().toInstant(),
        cross.getNotAfter().toInstant())).isEqualTo(validity);
    assertThat(cross.getSigAlgName()).isEqualTo(expectedSignature(oldRoot));
    assertThatCode(() -> cross.verify(oldRoot.getPublicKey())).doesNotThrowAnyException();
  }

  static List<String> extendedKeyUsage(X509Certificate certificate) {
    try {
      return certificate.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> uriSans(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    for (List<?> name : allSans(certificate)) {
      if (Integer.valueOf(6).equals(name.get(0))) {
        uris.add((String) name.get(1));
      }
    }
    return uris;
  }

  static List<List<?>> allSans(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : List.copyOf(names);
    } catch (CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] subjectKeyId(X509Certificate certificate) {
    return SubjectKeyIdentifier.getInstance(extension(certificate, SUBJECT_KEY_ID))
        .getKeyIdentifier();
  }

  static byte[] authorityKeyId(X509Certificate certificate) {
    AuthorityKeyIdentifier akid =
        AuthorityKeyIdentifier.getInstance(extension(certificate, AUTHORITY_KEY_ID));
    assertThat(akid.getAuthorityCertIssuer()).as("AKID holds the key ID only").isNull();
    assertThat(akid.getAuthorityCertSerialNumber()).isNull();
    return akid.getKeyIdentifier();
  }

  static byte[] sha256(byte[] data) {
    return Certificates.digest("SHA-256", data);
  }

  private static Object extension(X509Certificate certificate, String oid) {
    byte[] value = certificate.getExtensionValue(oid);
    assertThat(value).as("extension " + oid).isNotNull();
    try {
      return JcaX509ExtensionUtils.parseExtensionValue(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String expectedSignature(X509Certificate signer) {
    return signer.getPublicKey().getAlgorithm().equals("RSA")
        ? "SHA256withRSA" : "SHA256withECDSA";
  }

  private static boolean[] padded(boolean[] keyUsage) {
    assertThat(keyUsage).as("key usage present").isNotNull();
    boolean[] out = new boolean[9];
    System.arraycopy(keyUsage, 0, out, 0, Math.min(9, keyUsage.length));
    return out;
  }

  static Set<String> extensionOids(X509Certificate certificate) {
    Set<String> all = new java.util.HashSet<>(certificate.getCriticalExtensionOIDs());
    all.addAll(certificate.getNonCriticalExtensionOIDs());
    return all;
  }
}
