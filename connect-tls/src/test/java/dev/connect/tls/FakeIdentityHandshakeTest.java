package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.Intentions;
import dev.connect.core.KeyType;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectTls} runs real handshakes over a {@link ConnectIdentity} that is neither a cache
 * nor a server: a small fake holding a leaf, the roots and the intentions (issue 12, the
 * identity TLS reads). The contexts follow what the fake returns at each handshake: a denying
 * intention, then a renewed leaf. The clock is far from the real one: every date the handshake
 * checks is the injected clock's.
 */
class FakeIdentityHandshakeTest {
  static final SigningId TRUST_DOMAIN = SigningId.of("11111111-2222-3333-4444-555555555555.consul");
  static final Clock CLOCK = Clock.fixed(Instant.parse("2031-05-01T10:00:00Z"), ZoneOffset.UTC);
  static final BuiltInCaProvider CA = BuiltInCaProvider.generate(TRUST_DOMAIN,
      CaConfiguration.defaults(), CLOCK);
  static final CaRoots ROOTS = roots(CA.rootCertificate());

  /** A fake identity: what the TLS layer reads, and nothing else. */
  static final class FakeIdentity implements ConnectIdentity {
    final ServiceId id;
    final AtomicReference<X509Leaf> leaf = new AtomicReference<>();
    final AtomicReference<Intentions> intentions = new AtomicReference<>(Intentions.empty());
    final AtomicInteger leafReads = new AtomicInteger();

    FakeIdentity(String service) {
      this.id = ServiceId.of(TRUST_DOMAIN.trustDomain(), "dc1", service);
      renew();
    }

    X509Leaf renew() {
      KeyPair keys = LeafRequests.newKeyPair();
      X509Certificate certificate = CA.sign(CertificateRequest.validate(
          LeafRequests.csrPem(id, keys), TRUST_DOMAIN, "dc1", CaConfiguration.defaults()));
      X509Leaf next = X509Leaf.of(List.of(certificate), keys.getPrivate());
      leaf.set(next);
      return next;
    }

    @Override
    public ServiceId serviceId() {
      return id;
    }

    @Override
    public X509Leaf leaf() {
      leafReads.incrementAndGet();
      return leaf.get();
    }

    @Override
    public CaRoots roots() {
      return ROOTS;
    }

    @Override
    public Intentions intentions() {
      return intentions.get();
    }
  }

  @Test
  void aFakeIdentityDrivesRealHandshakesAndTheirDecisions() throws Exception {
    FakeIdentity db = new FakeIdentity("db");
    FakeIdentity web = new FakeIdentity("web");
    RecordingListener events = new RecordingListener();
    SSLContext server = ConnectTls.forServer(db)
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).clock(CLOCK).listener(events)
        .sslContext();
    SSLContext client = ConnectTls.forClient(web).expectPeer("db").clock(CLOCK).sslContext();

    try (Peers.GreetingServer greeting = new Peers.GreetingServer(server, "db")) {
      Peers.Reply first = Peers.connect(client, greeting.port());
      assertThat(first.line()).isEqualTo("hello from db");
      assertThat(first.server()).isEqualTo(db.id.spiffeId());
      assertThat(first.serial()).isEqualTo(db.leaf.get().certificate().getSerialNumber());
      assertThat(greeting.next().ok()).isTrue();
      assertThat(events.last().reason()).isEqualTo("ACLs disabled, access is allowed by default");
      assertThat(events.last().peer()).contains(web.id.spiffeId());

      db.intentions.set(Intentions.of(Intention.of("web", "db", IntentionAction.DENY)));
      assertThatThrownBy(() -> Peers.connect(client, greeting.port()))
          .isInstanceOf(IOException.class);
      assertThat(Peers.messages(greeting.next().failure()))
          .contains("connect: authz denied: Matched L4 intention: default/web => default/db");
      assertThat(events.last().allowed()).isFalse();

      db.intentions.set(Intentions.empty());
      X509Leaf renewed = db.renew();
      Peers.Reply after = Peers.connect(client, greeting.port());
      assertThat(after.line()).isEqualTo("hello from db");
      assertThat(after.serial()).as("the renewed leaf, with no rebuild")
          .isEqualTo(renewed.certificate().getSerialNumber());
      assertThat(greeting.next().ok()).isTrue();
    }
    assertThat(db.leafReads).hasPositiveValue();
  }

  @Test
  void aLeafWhoseKeyIsNotTheCertificatesIsRefusedWhenMade() {
    X509Certificate certificate = new FakeIdentity("db").leaf.get().certificate();
    PrivateKey rsa = rsaKey();
    assertThatThrownBy(() -> X509Leaf.of(List.of(certificate), rsa))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RSA private key cannot belong to the EC key of leaf serial "
            + certificate.getSerialNumber().toString(16));
    assertThatThrownBy(() -> X509Leaf.of(List.of(), rsa))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static PrivateKey rsaKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair().getPrivate();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static CaRoots roots(X509Certificate root) {
    CaRoot only = new CaRoot("fake-root", "Fake Root", root.getSerialNumber(), "00",
        "11111111-2222-3333-4444-555555555555", root.getNotBefore().toInstant(),
        root.getNotAfter().toInstant(), root, List.of(), true, KeyType.EC, 256,
        Optional.empty(), 1, 1);
    return new CaRoots(TRUST_DOMAIN.trustDomain(), "fake-root", List.of(only));
  }
}
