package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.LeafRequests;
import dev.connect.core.ServiceId;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** {@link LeafKeyFactory#of}: the one-line adapter the agent, the benchmarks and the tests use. */
class LeafKeyFactoryOfTest {
  @Test
  void theFunctionsMakeTheKeyPairAndTheCsrOfThatKey() {
    LeafKeyFactory keys = LeafKeyFactory.of(LeafRequests::newKeyPair, LeafRequests::csrPem);
    KeyPair pair = keys.newKeyPair();
    ServiceId web = ServiceId.of("11111111-2222-3333-4444-555555555555.consul", "dc1", "web");
    String csr = keys.csrPem(web, pair);
    assertThat(csr).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
    assertThat(keys.newKeyPair().getPublic()).isNotEqualTo(pair.getPublic());
  }

  @Test
  void bothFunctionsAreRequired() {
    assertThatThrownBy(() -> LeafKeyFactory.of(null, LeafRequests::csrPem))
        .isInstanceOf(NullPointerException.class).hasMessage("newKeyPair");
    assertThatThrownBy(() -> LeafKeyFactory.of(LeafRequests::newKeyPair, null))
        .isInstanceOf(NullPointerException.class).hasMessage("csrPem");
  }
}
