package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.LeafRequests;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A peer whose leaf chains to our root but names another namespace or partition is refused by
 * both roles, with the same reason (issue 11, item 5; docs/security.md, handshake step 3).
 * Before, only the client role checked: a server with no matching intention and an allowing
 * default let a client from namespace {@code other} in, and refused one from another partition
 * only as a "Mismatched partitions" intention decision.
 *
 * <p>The CA refuses CSRs for such identities, so the test signs the leaves itself with the key
 * of a root it rotated into the embedded server: exactly what a leaked or foreign-issued leaf
 * would look like to the trust manager.
 */
class PeerOutsideDefaultNamespaceTest extends TlsFixtureTestBase {
  private PrivateKey caKey;
  private X509Certificate caCert;

  @BeforeEach
  void rotateInARootWeHoldTheKeyOf() throws Exception {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(f.server.trustDomain(),
        CaConfiguration.defaults(), f.time);
    f.runDue();
    f.server.rotateRoot(ca.exportPrivateKeyPkcs8Pem(), ca.rootCertificatePem(), TlsFixture.ROOT);
    f.runDue();
    // Test material only: the CA key signs the intruders' leaves. Re-read by the JDK's own
    // KeyFactory so that the JDK's ECDSA signs with it.
    String pkcs8Pem = ca.exportPrivateKeyPkcs8Pem();
    caKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
        Base64.getMimeDecoder().decode(pkcs8Pem.replaceAll("-----[A-Z ]+-----", ""))));
    caCert = ca.rootCertificate();
  }

  @ParameterizedTest
  @CsvSource({"JDK, /ns/other/dc/dc1/svc/web, namespace \"other\"",
      "JDK, /ap/other/ns/default/dc/dc1/svc/web, partition \"other\"",
      "BOUNCY_CASTLE, /ns/other/dc/dc1/svc/web, namespace \"other\"",
      "BOUNCY_CASTLE, /ap/other/ns/default/dc/dc1/svc/web, partition \"other\""})
  void serverRefusesAClientOutsideTheDefaultNamespaceOrPartition(TlsStack stack, String path,
      String named) throws Exception {
    RecordingListener events = new RecordingListener();
    // Allow by default and by intention: only the namespace/partition check can refuse.
    f.intention("*", "db", IntentionAction.ALLOW);
    SSLContext db = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).stack(stack).clock(f.time)
        .listener(events).sslContext();
    SSLContext intruder = peerContext(path);
    try (Peers.GreetingServer server = new Peers.GreetingServer(db, "db")) {
      assertThatThrownBy(() -> Peers.connect(intruder, server.port()))
          .isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure()))
          .contains("spiffe://" + f.trustDomain() + path).contains("is in " + named);
      assertThat(events.last().allowed()).isFalse();
      assertThat(events.last().reason()).contains("is in " + named);

      SSLContext web = peerContext("/ns/default/dc/dc1/svc/web");
      assertThat(Peers.connect(web, server.port()).line()).as("control: same CA, default ns")
          .isEqualTo("hello from db");
      assertThat(server.next().ok()).isTrue();
    }
  }

  @ParameterizedTest
  @CsvSource({"JDK, /ns/other/dc/dc1/svc/db, namespace \"other\"",
      "JDK, /ap/other/ns/default/dc/dc1/svc/db, partition \"other\"",
      "BOUNCY_CASTLE, /ns/other/dc/dc1/svc/db, namespace \"other\"",
      "BOUNCY_CASTLE, /ap/other/ns/default/dc/dc1/svc/db, partition \"other\""})
  void clientRefusesAServerOutsideTheDefaultNamespaceOrPartition(TlsStack stack, String path,
      String named) throws Exception {
    RecordingListener events = new RecordingListener();
    SSLContext web = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
        .clock(f.time).listener(events).sslContext();
    try (Peers.GreetingServer server = new Peers.GreetingServer(peerContext(path), "db",
        s -> s.setNeedClientAuth(true))) {
      assertThatThrownBy(() -> Peers.connect(web, server.port()))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(Peers.messages(e))
              .contains("spiffe://" + f.trustDomain() + path).contains("is in " + named));
      assertThat(events.last().allowed()).isFalse();
    }
    try (Peers.GreetingServer server = new Peers.GreetingServer(
        peerContext("/ns/default/dc/dc1/svc/db"), "db", s -> s.setNeedClientAuth(true))) {
      assertThat(Peers.connect(web, server.port()).line()).as("control: same CA, default ns")
          .isEqualTo("hello from db");
    }
  }

  /** A plain JDK context presenting a leaf for {@code path}, trusting any peer. */
  private SSLContext peerContext(String path) throws Exception {
    KeyPair keys = LeafRequests.newKeyPair();
    X509Certificate leaf = sign("spiffe://" + f.trustDomain() + path, keys);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("leaf", keys.getPrivate(), password, new X509Certificate[] {leaf, caCert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new TrustManager[] {new TrustAll()}, null);
    return context;
  }

  private X509Certificate sign(String uri, KeyPair keys) throws Exception {
    Date from = Date.from(f.time.instant().minus(Duration.ofMinutes(1)));
    Date to = Date.from(f.time.instant().plus(Duration.ofHours(72)));
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert,
        BigInteger.valueOf(System.nanoTime()), from, to, new X500Name("CN=intruder"),
        keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
  }

  /** The intruder's side trusts anything: only the Connect side's decision is under test. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type, Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine e) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String type) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String type) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
