package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CaKeySpecTest {
  @ParameterizedTest
  @EnumSource(CaKeySpec.class)
  void ofFindsEachSpecByTypeAndBits(CaKeySpec spec) {
    assertThat(CaKeySpec.of(spec.keyType(), spec.bits())).isSameAs(spec);
  }

  @Test
  void typesAndSizes() {
    assertThat(CaKeySpec.EC_P256.keyType()).isEqualTo(KeyType.EC);
    assertThat(CaKeySpec.EC_P256.bits()).isEqualTo(256);
    assertThat(CaKeySpec.EC_P384.bits()).isEqualTo(384);
    assertThat(CaKeySpec.RSA_2048.keyType()).isEqualTo(KeyType.RSA);
    assertThat(CaKeySpec.RSA_4096.bits()).isEqualTo(4096);
  }

  @Test
  void ecSizesConsulAcceptsButWeDoNotSaySo() {
    assertThatThrownBy(() -> CaKeySpec.of(KeyType.EC, 521))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EC key length must be one of (256, 384) bits, not 521"
            + " (Consul also accepts 224 and 521; this CA does not)");
  }

  @Test
  void otherEcSize() {
    assertThatThrownBy(() -> CaKeySpec.of(KeyType.EC, 255))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("EC key length must be one of (256, 384) bits, not 255");
  }

  @Test
  void rsaSizeUsesConsulsMessage() {
    assertThatThrownBy(() -> CaKeySpec.of(KeyType.RSA, 3072))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RSA key length must be 2048 or 4096 bits, not 3072");
  }
}
