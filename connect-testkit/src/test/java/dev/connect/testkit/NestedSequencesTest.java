package dev.connect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.Test;

/**
 * {@link TestCertificates#nestedSequences}, the deeply nested DER that connect-ca's and
 * connect-server's CSR tests share: valid DER at every depth it accepts, refused past its
 * two-byte lengths, naming the depth.
 */
class NestedSequencesTest {
  @Test
  void eachLevelIsOneSequenceHoldingTheNextAroundANull() throws Exception {
    assertThat(TestCertificates.nestedSequences(0)).containsExactly(0x05, 0x00);
    assertThat(TestCertificates.nestedSequences(2))
        .containsExactly(0x30, 0x04, 0x30, 0x02, 0x05, 0x00);

    ASN1Primitive decoded = ASN1Primitive.fromByteArray(TestCertificates.nestedSequences(200));
    int depth = 0;
    while (decoded instanceof ASN1Sequence sequence) {
      assertThat(sequence.size()).isEqualTo(1);
      decoded = sequence.getObjectAt(0).toASN1Primitive();
      depth++;
    }
    assertThat(depth).isEqualTo(200);
  }

  @Test
  void aDepthPastTwoByteLengthsOrNegativeIsRefusedNamingIt() {
    assertThat(TestCertificates.nestedSequences(2000)).hasSizeLessThan(0x10000);
    assertThatThrownBy(() -> TestCertificates.nestedSequences(20_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nestedSequences(20000)");
    assertThatThrownBy(() -> TestCertificates.nestedSequences(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("depth must be 0 or more: -1");
  }
}
