package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cached leaves are kept in the smaller representations (BouncyCastle certificate, the JDK's own
 * private key) with the very same encodings, and the key still signs for the certificate.
 */
class CompactLeafTest {
  @TempDir
  Path dir;

  @Test
  void cachedLeafKeepsEncodingsInSmallerObjects() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      Leaf leaf = f.cache.leaf("web", CacheRequest.anonymous());
      assertThat(leaf.certificate().certificate().getClass().getName())
          .startsWith("org.bouncycastle.");
      assertThat(leaf.privateKey().getClass().getName()).startsWith("sun.security.");
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(leaf.privateKey());
      s.update(new byte[] {1, 2, 3});
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(leaf.certificate().certificate().getPublicKey());
      v.update(new byte[] {1, 2, 3});
      assertThat(v.verify(sig)).isTrue();
    }
  }

  @Test
  void reparsedCertificateHasTheSameEncoding() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      java.security.KeyPair keys = Fixture.KEYS.newKeyPair();
      dev.connect.core.IssuedCertificate issued = f.server.signLeaf(
          Fixture.KEYS.csrPem(dev.connect.core.ServiceId.of(f.server.trustDomain().trustDomain(), "dc1", "db"),
              keys), dev.connect.core.QueryOptions.builder().build()).join().value();
      dev.connect.core.IssuedCertificate compact = Compact.certificate(issued);
      assertThat(compact.certificate()).isNotSameAs(issued.certificate());
      assertThat(compact.certificate().getEncoded()).isEqualTo(issued.certificate().getEncoded());
      assertThat(compact.certificate()).isEqualTo(issued.certificate());
      assertThat(compact.intermediates()).isEqualTo(issued.intermediates());
      assertThat(compact.service()).isEqualTo(issued.service());
      assertThat(Compact.privateKey(keys.getPrivate()).getEncoded())
          .isEqualTo(keys.getPrivate().getEncoded());
    }
  }
}
