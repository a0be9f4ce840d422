package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.LeafRequests;
import dev.connect.core.ConnectException;
import dev.connect.core.ServiceId;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: the cache stored whatever certificate the backend returned for a leaf, even one for
 * another key pair or another service. Each issued leaf is now checked against the key made for
 * it and the SPIFFE ID requested, and a mismatch fails the load with a clear message.
 */
class IssuedLeafNotCheckedTest {
  @TempDir
  Path dir;

  @Test
  void certificateForAnotherKeyIsRefused() throws Exception {
    LeafKeyFactory otherKey = new LeafKeyFactory() {
      @Override
      public KeyPair newKeyPair() {
        return LeafRequests.newKeyPair();
      }

      @Override
      public String csrPem(ServiceId service, KeyPair keyPair) {
        return LeafRequests.csrPem(service, LeafRequests.newKeyPair());
      }
    };
    assertRefused(otherKey, "public key other than the one requested");
  }

  @Test
  void certificateForAnotherServiceIsRefused() throws Exception {
    LeafKeyFactory otherService = new LeafKeyFactory() {
      @Override
      public KeyPair newKeyPair() {
        return LeafRequests.newKeyPair();
      }

      @Override
      public String csrPem(ServiceId service, KeyPair keyPair) {
        return LeafRequests.csrPem(ServiceId.of(service.trustDomain(), "dc1", "db"), keyPair);
      }
    };
    assertRefused(otherService, "/svc/db, not for the requested");
  }

  private void assertRefused(LeafKeyFactory keys, String message) throws Exception {
    try (Fixture f = Fixture.open(dir);
        ConnectCache cache = ConnectCache.builder(f.server).leafKeys(keys)
            .scheduler(f.scheduler).ticker(f.time).clock(f.time).random(new Random(1)).build()) {
      CacheRequest req = CacheRequest.anonymous();
      assertThatThrownBy(() -> cache.leaf("web", req)).isInstanceOf(ConnectException.class)
          .hasMessageContaining(message);
      assertThat(cache.leafStatus("web", req)).isEmpty();
      assertThat(cache.stats().loadFailures()).isEqualTo(1);
    }
  }
}
