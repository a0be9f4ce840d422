package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import dev.connect.tls.internal.ConfiguredSslContext;
import dev.connect.tls.internal.LiveKeyManager;
import dev.connect.tls.internal.TlsStacks;
import java.io.IOException;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A client allowed, then denied by a new intention, cannot get back in: neither with a fresh
 * handshake nor by resuming its earlier session (issue 6; STYLE.md "TLS session resumption must
 * not skip authorization").
 *
 * <p>The control case proves the test's client does resume when the server lets it: against a
 * context whose trust manager does not see the socket (so cannot invalidate the session), the
 * second connection never reaches the trust manager.
 *
 * <p>Both run on both stacks. BouncyCastle's JSSE honours {@link
 * javax.net.ssl.SSLSession#invalidate()} on the handshake session the same way for TLS 1.2
 * (its only resumable protocol), so the same mechanism closes the hole there.
 */
class ResumedSessionAfterDenyTest extends TlsFixtureTestBase {
  @ParameterizedTest
  @CsvSource({"JDK, TLSv1.3", "JDK, TLSv1.2", "BOUNCY_CASTLE, TLSv1.3", "BOUNCY_CASTLE, TLSv1.2"})
  void deniedClientCannotResumeItsWayIn(TlsStack stack, String protocol) throws Exception {
    RecordingListener events = new RecordingListener();
    SSLContext db = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).tls12Allowed().clock(f.time)
        .listener(events).sslContext();
    SSLContext web = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack).tls12Allowed()
        .clock(f.time).sslContext();
    f.intention("web", "db", IntentionAction.ALLOW);
    try (Peers.GreetingServer server = new Peers.GreetingServer(db, "db")) {
      for (int i = 1; i <= 3; i++) {
        Peers.Reply reply = Peers.connect(web, server.port(), protocol);
        assertThat(reply.line()).isEqualTo("hello from db");
        assertThat(reply.protocol()).isEqualTo(protocol);
        assertThat(server.next().failure()).isNull();
        assertThat(events.events).hasSize(i); // every connection was a full handshake
      }
      if (resumable(stack, protocol)) {
        // The client keeps its sessions and offers them; the server never resumes one.
        assertThat(Collections.list(web.getClientSessionContext().getIds())).isNotEmpty();
      }

      f.intention("web", "db", IntentionAction.DENY);

      assertThatThrownBy(() -> Peers.connect(web, server.port(), protocol))
          .as("the client that was allowed").isInstanceOf(IOException.class);
      assertThat(Peers.messages(server.next().failure())).contains("authz denied")
          .contains("Action: DENY");
      SSLContext fresh = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
          .tls12Allowed().clock(f.time).sslContext();
      assertThatThrownBy(() -> Peers.connect(fresh, server.port(), protocol))
          .as("a fresh client").isInstanceOf(IOException.class);
      assertThat(server.next().ok()).isFalse();
      assertThat(events.events).hasSize(5);
      assertThat(events.events.subList(3, 5)).noneMatch(HandshakeEvent::allowed);
    }
  }

  @ParameterizedTest
  @CsvSource({"JDK, TLSv1.3", "JDK, TLSv1.2", "BOUNCY_CASTLE, TLSv1.3", "BOUNCY_CASTLE, TLSv1.2"})
  void controlTheSameClientResumesWhenTheServerAllowsIt(TlsStack stack, String protocol)
      throws Exception {
    ConnectTls.ServerBuilder builder = ConnectTls.forServer(f.identity("db"))
        .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).stack(stack).tls12Allowed().clock(f.time);
    CountingTrustManager counting = new CountingTrustManager(builder.trustManager(), false);
    SSLContext inner = TlsStacks.newContext(stack);
    inner.init(new KeyManager[] {new LiveKeyManager(f.identity("db"), stack)},
        new TrustManager[] {counting}, null);
    // The same wrapper and parameters as a real server context: only the session survives.
    SSLContext plain = new ConfiguredSslContext(inner, builder.sslParameters());
    SSLContext web = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack).tls12Allowed()
        .clock(f.time).sslContext();
    try (Peers.GreetingServer server = new Peers.GreetingServer(plain, "db")) {
      for (int i = 0; i < 3; i++) {
        assertThat(Peers.connect(web, server.port(), protocol).line()).isEqualTo("hello from db");
        assertThat(server.next().failure()).isNull();
      }
      if (resumable(stack, protocol)) {
        assertThat(counting.checks.get()).as("later connections resumed").isEqualTo(1);
      } else {
        assertThat(counting.checks.get()).as("no resumption on this stack").isEqualTo(3);
        assertThat(Collections.list(web.getClientSessionContext().getIds())).isEmpty();
      }
    }
  }

  /**
   * Whether the stack resumes sessions of {@code protocol} at all: BouncyCastle's JSSE (1.82)
   * implements no TLS 1.3 resumption, neither issuing tickets nor keeping client sessions. The
   * control asserts that too, so that a BouncyCastle upgrade that adds it fails here and gets
   * the denied-client test's full check.
   */
  static boolean resumable(TlsStack stack, String protocol) {
    return !(stack == TlsStack.BOUNCY_CASTLE && protocol.equals("TLSv1.3"));
  }
}
