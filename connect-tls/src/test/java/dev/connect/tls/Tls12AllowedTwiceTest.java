package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.DefaultIntentionPolicy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 (one builder idiom): {@code tls12Allowed()} was the one option of the TLS builders
 * that could be given twice without a word, while every other set-once option says "x was
 * already set to y". A second call is a second code path configuring the same context.
 */
class Tls12AllowedTwiceTest {
  @TempDir
  Path dir;

  @Test
  void serverAndClientBuildersRefuseASecondTls12Allowed() throws Exception {
    try (TlsFixture f = new TlsFixture(dir)) {
      ConnectIdentity web = f.identity("web");
      assertThatThrownBy(() -> ConnectTls.forServer(web)
          .authorizeWith(DefaultIntentionPolicy.ACLS_DISABLED).tls12Allowed().tls12Allowed())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("tls12Allowed was already set to true");
      assertThatThrownBy(() -> ConnectTls.forClient(web).expectPeer("db").tls12Allowed()
          .tls12Allowed())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("tls12Allowed was already set to true");
    }
  }
}
