package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builders fail fast and name the offending value. */
class ConnectTlsApiTest {
  @TempDir
  Path dir;

  @Test
  void misuseFailsFast() throws Exception {
    try (TlsFixture f = new TlsFixture(dir)) {
      ConnectIdentity web = f.identity("web");
      assertThatThrownBy(() -> ConnectTls.forServer(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("identity");
      assertThatThrownBy(() -> ConnectTls.forServer(web).authorizeWith(null))
          .isInstanceOf(NullPointerException.class).hasMessage("defaultPolicy");
      assertThatThrownBy(() -> ConnectTls.forClient(web).expectPeer(""))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ConnectIdentity.of(f.cache, "", f.request))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ConnectTls.forClient(web).expectPeer("db").clock(Clock.systemUTC())
          .clock(Clock.systemUTC())).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("clock was already set to");
      assertThatThrownBy(() -> ConnectTls.forClient(web).expectPeer("db").peerDatacenter("dc2")
          .peerDatacenter("dc3")).isInstanceOf(IllegalStateException.class)
          .hasMessage("peerDatacenter was already set to dc2");
      assertThatThrownBy(() -> ConnectTls.forServer(web)
          .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).stack(TlsStack.BOUNCY_CASTLE)
          .stack(TlsStack.JDK)).isInstanceOf(IllegalStateException.class)
          .hasMessage("stack was already set to BOUNCY_CASTLE");
      assertThatThrownBy(() -> ConnectTls.forClient(web).expectPeer("db").stack(null))
          .isInstanceOf(NullPointerException.class).hasMessage("stack");
      assertThat(web.toString()).contains("service=web").doesNotContain("secret");
      assertThat(ConnectTls.forServer(web).authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED)
          .trustManager().getAcceptedIssuers()).isEmpty();
    }
  }
}
