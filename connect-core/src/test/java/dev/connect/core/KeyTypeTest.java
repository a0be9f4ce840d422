package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class KeyTypeTest {
  @Test
  void readsConsulNames() {
    assertThat(KeyType.fromWireName("ec")).isEqualTo(KeyType.EC);
    assertThat(KeyType.fromWireName("rsa")).isEqualTo(KeyType.RSA);
    assertThat(KeyType.EC.wireName()).isEqualTo("ec");
    assertThat(KeyType.RSA.wireName()).isEqualTo("rsa");
  }

  @Test
  void rejectsOtherNamesWithConsulsMessage() {
    assertThatIllegalArgumentException().isThrownBy(() -> KeyType.fromWireName("EC"))
        .withMessage("private key type must be either 'ec' or 'rsa', not 'EC'");
    assertThatIllegalArgumentException().isThrownBy(() -> KeyType.fromWireName("ed25519"))
        .withMessage("private key type must be either 'ec' or 'rsa', not 'ed25519'");
    assertThatNullPointerException().isThrownBy(() -> KeyType.fromWireName(null))
        .withMessage("wireName");
  }
}
