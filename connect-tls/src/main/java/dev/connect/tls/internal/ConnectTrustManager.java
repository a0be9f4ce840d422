package dev.connect.tls.internal;

import dev.connect.core.CaRoots;
import dev.connect.core.ConnectId;
import dev.connect.core.Decision;
import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.Intentions;
import dev.connect.core.InvalidSpiffeIdException;
import dev.connect.core.ServiceId;
import dev.connect.core.SpiffeId;
import dev.connect.tls.ConnectIdentity;
import dev.connect.tls.HandshakeEvent;
import dev.connect.tls.HandshakeEvent.Role;
import dev.connect.tls.HandshakeListener;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust manager of one Connect context: verifies the peer against the identity's current
 * roots, reads its SPIFFE ID, applies {@link PeerRules}, and on a server authorizes it against the
 * identity's current intentions; on a client requires the expected service.
 *
 * <p>A server invalidates the handshake session before deciding, so JSSE neither caches it nor
 * issues a resumption ticket for it: every connection is a full handshake that reaches this
 * check ({@link SSLSession#invalidate()}: "future connections will not be able to resume or join
 * this session").
 */
public final class ConnectTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(ConnectTrustManager.class);
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final Role role;
  private final ConnectIdentity identity;
  private final Clock clock;
  private final HandshakeListener listener;
  private final ChainVerifier verifier = new ChainVerifier();
  private final DefaultIntentionPolicy policy;
  private final String expectedService;
  private final String expectedDatacenter;
  private volatile String name;

  private ConnectTrustManager(Role role, ConnectIdentity identity, Clock clock,
      HandshakeListener listener, DefaultIntentionPolicy policy, String expectedService,
      String expectedDatacenter) {
    this.role = role;
    this.identity = identity;
    this.clock = clock;
    this.listener = listener;
    this.policy = policy;
    this.expectedService = expectedService;
    this.expectedDatacenter = expectedDatacenter;
  }

  /**
   * Returns the trust manager of a server context.
   *
   * @param identity the server's identity: whose intentions decide
   * @param policy what decides when no intention matches
   * @param clock the date of PKIX validation
   * @param listener told of every decision
   * @return the trust manager
   */
  public static ConnectTrustManager server(ConnectIdentity identity, DefaultIntentionPolicy policy,
      Clock clock, HandshakeListener listener) {
    return new ConnectTrustManager(Role.SERVER, identity, clock, listener, policy, null, null);
  }

  /**
   * Returns the trust manager of a client context.
   *
   * @param identity the client's identity: whose roots and trust domain apply
   * @param expectedService the service the server must be
   * @param expectedDatacenter its datacenter, or null for the client's own
   * @param clock the date of PKIX validation
   * @param listener told of every decision
   * @return the trust manager
   */
  public static ConnectTrustManager client(ConnectIdentity identity, String expectedService,
      String expectedDatacenter, Clock clock, HandshakeListener listener) {
    return new ConnectTrustManager(Role.CLIENT, identity, clock, listener, null, expectedService,
        expectedDatacenter);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (socket instanceof SSLSocket ssl) {
      noResumption(ssl.getHandshakeSession());
    }
    checkClient(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (engine != null) {
      noResumption(engine.getHandshakeSession());
    }
    checkClient(chain);
  }

  /** Without a socket or engine the session cannot be marked; see the class description. */
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    checkClient(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    checkServer(chain);
  }

  /**
   * Returns no issuers: a Connect leaf is chosen by identity, never by issuer, and a list read
   * once (as Netty's OpenSSL provider does) would go stale at the next root rotation.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }

  private static void noResumption(SSLSession session) {
    if (session != null) {
      session.invalidate();
    }
  }

  private void checkClient(X509Certificate[] chain) throws CertificateException {
    if (role != Role.SERVER) {
      throw new CertificateException("a Connect client context does not accept clients");
    }
    check(chain);
  }

  private void checkServer(X509Certificate[] chain) throws CertificateException {
    if (role != Role.CLIENT) {
      throw new CertificateException("a Connect server context does not verify servers");
    }
    check(chain);
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    SpiffeId peer = null;
    try {
      ServiceId self = read(identity::serviceId, "service ID");
      CaRoots roots = read(identity::roots, "roots");
      verifier.verify(chain, roots, clock.instant(),
          role == Role.SERVER ? ChainVerifier.OID_CLIENT_AUTH : ChainVerifier.OID_SERVER_AUTH);
      try {
        peer = SpiffeId.fromCertificate(chain[0]);
      } catch (InvalidSpiffeIdException e) {
        throw new CertificateException(e.getMessage(), e);
      }
      String reason;
      if (role == Role.SERVER) {
        Intentions intentions = read(identity::intentions, "intentions");
        Decision d = PeerRules.authorize(self, intentions, peer, policy);
        if (!d.allowed()) {
          throw new CertificateException("connect: authz denied: " + d.reason());
        }
        reason = d.reason();
      } else {
        Optional<Decision> refused = PeerRules.refusal(self, peer);
        if (refused.isPresent()) {
          throw new CertificateException(refused.get().reason());
        }
        ServiceId service = (ServiceId) ConnectId.from(peer);
        String dc = expectedDatacenter != null ? expectedDatacenter : self.datacenter();
        if (!service.service().equals(expectedService) || !service.datacenter().equals(dc)) {
          throw new CertificateException("peer certificate mismatch: got " + peer
              + ", want service " + expectedService + " in datacenter " + dc);
        }
        reason = "server is " + peer;
      }
      report(peer, true, reason);
    } catch (CertificateException e) {
      report(peer, false, e.getMessage());
      log.debug("{} {}: peer {} refused: {}", name(), role, peer, e.getMessage());
      throw e;
    }
  }

  private interface Read<T> {
    T get();
  }

  private <T> T read(Read<T> read, String what) throws CertificateException {
    try {
      return read.get();
    } catch (RuntimeException e) {
      throw new CertificateException("connect: " + what + " of " + name() + " unavailable: "
          + e.getMessage(), e);
    }
  }

  /**
   * Returns the local service's name for messages and events, once the identity has told it;
   * before that (its service ID unavailable) the identity's description.
   */
  private String name() {
    String n = name;
    if (n == null) {
      try {
        n = identity.serviceId().service();
        name = n;
      } catch (RuntimeException e) {
        return identity.toString();
      }
    }
    return n;
  }

  private void report(SpiffeId peer, boolean allowed, String reason) {
    try {
      listener.onHandshake(new HandshakeEvent(role, name(),
          Optional.ofNullable(peer), allowed, reason == null ? "unknown" : reason));
    } catch (RuntimeException e) {
      log.warn("handshake listener failed; the decision stands", e);
    }
  }

  /**
   * Returns how many verified chains the memo holds now (see {@link ChainVerifier}).
   *
   * @return the number of chains
   */
  public long memoizedChains() {
    return verifier.memoSize();
  }

  /**
   * Returns how many chain checks found their chain in the memo so far.
   *
   * @return the number of memo hits
   */
  public long memoHits() {
    return verifier.memoHits();
  }

  @Override
  public String toString() {
    return "ConnectTrustManager[" + role + ", identity=" + identity
        + (role == Role.CLIENT ? ", expects=" + expectedService : ", default=" + policy) + "]";
  }
}
