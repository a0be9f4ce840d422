package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.cache.Leaf;
import java.nio.file.Path;
import java.security.Principal;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key manager presents the cache's current leaf under one alias per generation, keeps the
 * previous generation resolvable for one rotation, and ignores the issuers it is offered.
 */
class LiveKeyManagerTest {
  @TempDir
  Path dir;

  private static final Principal[] STRANGERS = {new X500Principal("CN=Some Other CA")};

  @Test
  void aliasIsTheGenerationAndThePreviousOneStaysResolvableForOneRotation() throws Exception {
    try (TlsFixture f = new TlsFixture(dir)) {
      X509ExtendedKeyManager km = ConnectTls.forServer(f.identity("db"))
          .authorizeWith(dev.connect.core.DefaultIntentionPolicy.ACLS_DISABLED).keyManager();
      Leaf first = f.cache.leaf("db", f.request);
      String a1 = km.chooseEngineServerAlias("EC", STRANGERS, null);
      assertThat(a1).isEqualTo("leaf-" + first.certificate().serialNumber().toString(16));
      assertThat(km.chooseServerAlias("EC", null, null)).isEqualTo(a1);
      assertThat(km.chooseClientAlias(new String[] {"RSA", "EC"}, STRANGERS, null)).isEqualTo(a1);
      assertThat(km.chooseEngineClientAlias(new String[] {"EC"}, STRANGERS, null)).isEqualTo(a1);
      assertThat(km.chooseEngineServerAlias("RSA", null, null)).as("no RSA leaf").isNull();
      assertPairs(km, a1);

      renew(f);
      String a2 = km.chooseEngineServerAlias("EC", STRANGERS, null);
      assertThat(a2).isNotEqualTo(a1)
          .isEqualTo("leaf-" + f.cache.leaf("db", f.request).certificate().serialNumber()
              .toString(16));
      assertPairs(km, a2);
      assertPairs(km, a1); // a handshake that chose a1 just before the renewal still completes

      renew(f);
      String a3 = km.chooseEngineServerAlias("EC", null, null);
      assertThat(a3).isNotIn(a1, a2);
      assertPairs(km, a3);
      assertPairs(km, a2);
      assertThat(km.getPrivateKey(a1)).isNull();
      assertThat(km.getCertificateChain(a1)).isNull();
      assertThat(km.getPrivateKey("leaf-unknown")).isNull();
    }
  }

  private static void renew(TlsFixture f) {
    Instant next = f.cache.leafStatus("db", f.request).orElseThrow().nextAttempt().orElseThrow();
    f.advance(Duration.between(f.time.instant(), next));
  }

  /** The key and the chain of one alias belong together. */
  private static void assertPairs(X509ExtendedKeyManager km, String alias) throws Exception {
    X509Certificate[] chain = km.getCertificateChain(alias);
    assertThat(chain).isNotEmpty();
    assertThat(alias).isEqualTo("leaf-" + chain[0].getSerialNumber().toString(16));
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(km.getPrivateKey(alias));
    sign.update(new byte[] {1, 2, 3});
    byte[] sig = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(chain[0].getPublicKey());
    verify.update(new byte[] {1, 2, 3});
    assertThat(verify.verify(sig)).isTrue();
  }
}
