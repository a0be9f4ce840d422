package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.DefaultIntentionPolicy;
import dev.connect.core.IntentionAction;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handshakes on either stack leave the JVM's provider list as it was: no {@code BC}, no {@code
 * BCJSSE} (issue 6; the chain check used to register {@code BC}). Nothing in this module's tests
 * registers a provider, so the list is the JDK's in whatever order the tests run.
 */
class NoGlobalProviderTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(TlsStack.class)
  void handshakesRegisterNoProvider(TlsStack stack) throws Exception {
    List<String> before = names();
    assertThat(Security.getProvider("BC")).isNull();
    try (TlsFixture f = new TlsFixture(dir)) {
      f.intention("web", "db", IntentionAction.ALLOW);
      SSLContext db = ConnectTls.forServer(f.identity("db"))
          .authorizeWith(DefaultIntentionPolicy.ACLS_DEFAULT_DENY).stack(stack).tls12Allowed()
          .clock(f.time).sslContext();
      SSLContext web = ConnectTls.forClient(f.identity("web")).expectPeer("db").stack(stack)
          .tls12Allowed().clock(f.time).sslContext();
      try (Peers.GreetingServer server = new Peers.GreetingServer(db, "db")) {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
          assertThat(Peers.connect(web, server.port(), protocol).line())
              .isEqualTo("hello from db");
          assertThat(server.next().ok()).isTrue();
        }
      }
    }
    assertThat(Security.getProvider("BC")).isNull();
    assertThat(Security.getProvider("BCJSSE")).isNull();
    assertThat(names()).isEqualTo(before);
  }

  private static List<String> names() {
    return Arrays.stream(Security.getProviders()).map(Provider::getName).toList();
  }
}
