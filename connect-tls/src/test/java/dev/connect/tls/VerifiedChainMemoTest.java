package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.testkit.FakeTime;
import dev.connect.tls.internal.ConnectTrustManager;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trust manager remembers chains it verified, so a returning peer skips parsing and
 * signature checks, but a memo hit never skips the date, the SPIFFE checks or authorization, and
 * a root rotation that removes a chain's root ends its memo entry (issue 6).
 *
 * <p>The trust manager gets its own clock, apart from the fixture's, so that the test can move
 * the PKIX date without renewing leaves, and move the cluster's time without expiring chains.
 */
class VerifiedChainMemoTest extends TlsFixtureTestBase {
  FakeTime pkixDate;
  final RecordingListener events = new RecordingListener();

  @BeforeEach
  void startPkixDateAtTheFixturesNow() {
    pkixDate = FakeTime.at(f.time.instant());
  }

  private ConnectTrustManager db() {
    return (ConnectTrustManager) ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).clock(pkixDate).listener(events)
        .trustManager();
  }

  private X509Certificate[] chain(String service) {
    return f.cache.leaf(service, f.request).chain().toArray(new X509Certificate[0]);
  }

  @Test
  void aReturningPeerIsAMemoHit() throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    ConnectTrustManager tm = db();
    X509Certificate[] web = chain("web");
    tm.checkClientTrusted(web, "EC");
    assertThat(tm.memoizedChains()).isEqualTo(1);
    assertThat(tm.memoHits()).isZero();
    tm.checkClientTrusted(web, "EC");
    tm.checkClientTrusted(web, "EC");
    assertThat(tm.memoHits()).isEqualTo(2);
    assertThat(events.events).hasSize(3).allMatch(HandshakeEvent::allowed);
  }

  @Test
  void aMemoHitStillRefusesAnExpiredLeaf() throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    ConnectTrustManager tm = db();
    X509Certificate[] web = chain("web");
    tm.checkClientTrusted(web, "EC");
    tm.checkClientTrusted(web, "EC");
    assertThat(tm.memoHits()).isEqualTo(1);

    pkixDate.advance(Duration.between(pkixDate.instant(),
        web[0].getNotAfter().toInstant().plusSeconds(1)));
    assertThatThrownBy(() -> tm.checkClientTrusted(web, "EC"))
        .isInstanceOf(CertificateException.class).hasMessageContaining("is not valid at")
        .satisfies(e -> assertThat(Peers.messages(e)).contains("CertificateExpiredException"));
    assertThat(tm.memoHits()).as("the refusal was a memo hit").isEqualTo(2);
    assertThat(events.last().allowed()).isFalse();
  }

  @Test
  void aMemoHitStillRefusesAfterAnIntentionDeny() throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    ConnectTrustManager tm = db();
    X509Certificate[] web = chain("web");
    tm.checkClientTrusted(web, "EC");

    f.intention("web", "db", IntentionAction.DENY);
    assertThatThrownBy(() -> tm.checkClientTrusted(web, "EC"))
        .isInstanceOf(CertificateException.class).hasMessageContaining("authz denied")
        .hasMessageContaining("Action: DENY");
    assertThat(tm.memoHits()).as("the refusal was a memo hit").isEqualTo(1);
  }

  @Test
  void aMemoHitStillChecksTheExpectedService() throws Exception {
    X509Certificate[] db = chain("db");
    ConnectTrustManager expectsApi = (ConnectTrustManager) ConnectTls.forClient(f.identity("web"))
        .expectPeer("api").clock(pkixDate).trustManager();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> expectsApi.checkServerTrusted(db, "EC"))
          .isInstanceOf(CertificateException.class)
          .hasMessageContaining("peer certificate mismatch");
    }
    assertThat(expectsApi.memoHits()).isEqualTo(1);
  }

  @Test
  void aRootRotationEndsTheMemoOfChainsTheNewRootsNoLongerTrust() throws Exception {
    f.intention("web", "db", IntentionAction.ALLOW);
    ConnectTrustManager tm = db();
    X509Certificate[] old = chain("web");
    tm.checkClientTrusted(old, "EC");
    assertThat(tm.memoizedChains()).isEqualTo(1);

    f.server.rotateRoot(TlsFixture.ROOT);
    f.runDue();
    f.advance(Duration.ofSeconds(31)); // the leaves are re-issued under the new root
    X509Certificate[] current = chain("web");
    assertThat(current[0].getSerialNumber()).isNotEqualTo(old[0].getSerialNumber());
    pkixDate.advance(Duration.ofSeconds(31));
    // The old root is still among the roots: the old chain is verified again, not a memo hit.
    tm.checkClientTrusted(old, "EC");
    tm.checkClientTrusted(current, "EC");
    assertThat(tm.memoHits()).isZero();
    assertThat(tm.memoizedChains()).isEqualTo(2);

    // Rotated-out roots are pruned after twice the leaf lifetime; the PKIX date stays put, so
    // the old chain is still within its dates and only the missing root can refuse it.
    for (int i = 0; i < 75; i++) {
      f.advance(Duration.ofHours(2));
    }
    assertThat(f.cache.roots(f.request).certificates()).hasSize(1);
    assertThatThrownBy(() -> tm.checkClientTrusted(old, "EC"))
        .isInstanceOf(CertificateException.class);
    tm.checkClientTrusted(current, "EC"); // its root is still trusted
    assertThat(tm.memoHits()).isZero();
    assertThat(tm.memoizedChains()).isEqualTo(1);
  }
}
