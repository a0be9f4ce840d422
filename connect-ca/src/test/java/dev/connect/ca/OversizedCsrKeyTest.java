package dev.connect.ca;

import static dev.connect.ca.CertificateRequestTest.CONFIG;
import static dev.connect.ca.CertificateRequestTest.TD;
import static dev.connect.ca.CertificateRequestTest.TRUST_DOMAIN;
import static dev.connect.ca.CertificateRequestTest.WEB;
import static dev.connect.ca.CertificateRequestTest.assertProblem;
import static dev.connect.ca.CertificateRequestTest.csr;
import static dev.connect.ca.CertificateRequestTest.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.ca.internal.Jca;
import dev.connect.core.InvalidCsrException.Problem;
import dev.connect.core.ServiceId;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DSAParameter;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review finding (HIGH): {@link CertificateRequest#validate} decoded the CSR's public key through
 * JCA and verified the signature before it applied the cheap key rule. A CSR of about 20 KB
 * with a 32768-bit DSA key cost about 50 s of CPU, and one with an RSA-16384 key and a 16384-bit
 * exponent about 2.5 s, without a valid signature or any ACL; an RSA key with exponent 1 passed
 * validation and then made {@code sign} throw {@link IllegalStateException}.
 *
 * <p>Each huge key here comes in a CSR signed by an unrelated P-256 key, so its signature is
 * invalid: the old order answered {@link Problem#BAD_SIGNATURE} after decoding and trying the
 * key, and {@link Problem#KEY_NOT_ALLOWED} proves the key was judged first, from its encoding.
 * The keys are hand-made SubjectPublicKeyInfos, built once per class: generating a real
 * DSA-32768 key would itself take minutes.
 */
class OversizedCsrKeyTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String RULE = "a leaf key must be EC P-256 or P-384, or RSA of 2048 to"
      + " 4096 bits with an odd public exponent from 3 to 2^32 - 1";

  static KeyPair signer;
  static String dsa32768;
  static String rsa16384WithHugeExponent;
  static String rsa2048WithHugeExponent;
  static BigInteger modulus2048;

  @BeforeAll
  static void makeCsrs() throws Exception {
    signer = LeafRequests.newKeyPair();
    BigInteger p = oddWithTopBit(32768);
    dsa32768 = csrWithKey(new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(X9ObjectIdentifiers.id_dsa,
            new DSAParameter(p, oddWithTopBit(256), new BigInteger(32767, RANDOM))),
        new ASN1Integer(new BigInteger(32767, RANDOM))));
    rsa16384WithHugeExponent = csrWithKey(rsa(oddWithTopBit(16384), oddWithTopBit(16384)));
    modulus2048 = oddWithTopBit(2048);
    rsa2048WithHugeExponent = csrWithKey(rsa(modulus2048, oddWithTopBit(16384)));
  }

  @Test
  void dsaKeyOf32768BitsIsRefusedBeforeItIsDecoded() {
    assertThat(dsa32768.length()).as("a 17 KB CSR, well within the 64 KiB limit")
        .isBetween(16_000, 24_000);
    assertProblem(dsa32768, Problem.KEY_NOT_ALLOWED).hasMessage(
        "public key in CSR is not allowed: DSA (1.2.840.10040.4.1); " + RULE);
  }

  @Test
  void rsaKeyOf16384BitsWithA16384BitExponentIsRefusedBeforeItIsDecoded() {
    assertProblem(rsa16384WithHugeExponent, Problem.KEY_NOT_ALLOWED).hasMessage(
        "public key in CSR is not allowed: RSA 16384 bits; " + RULE);
  }

  @Test
  void hugeExponentIsRefusedNamingItsLength() {
    assertProblem(rsa2048WithHugeExponent, Problem.KEY_NOT_ALLOWED).hasMessage(
        "public key in CSR is not allowed: RSA 2048 bits with public exponent of 16384 bits; "
            + RULE);
  }

  @Test
  void exponentOneIsRefusedInsteadOfFailingInSign() throws Exception {
    assertProblem(csrWithKey(rsa(modulus2048, BigInteger.ONE)), Problem.KEY_NOT_ALLOWED)
        .hasMessage("public key in CSR is not allowed: RSA 2048 bits with public exponent 1; "
            + RULE);
  }

  @Test
  void exponentsOutsideTheRuleAreRefusedNamingThem() throws Exception {
    for (long e : new long[] {2, 65536, (1L << 32) + 1, (1L << 32) + 3}) {
      assertProblem(csrWithKey(rsa(modulus2048, BigInteger.valueOf(e))),
          Problem.KEY_NOT_ALLOWED).as("e = %d", e)
          .hasMessageContaining("RSA 2048 bits with public exponent " + e + ";");
    }
  }

  @Test
  void modulusJustOutsideTheRuleIsRefused() throws Exception {
    for (int bits : new int[] {2047, 4097}) {
      assertProblem(csrWithKey(rsa(oddWithTopBit(bits), BigInteger.valueOf(65537))),
          Problem.KEY_NOT_ALLOWED).hasMessageContaining("RSA " + bits + " bits;");
    }
  }

  @Test
  void largestAndSmallestAllowedExponentsAreSigned() throws Exception {
    BuiltInCaProvider ca = BuiltInCaProvider.generate(TRUST_DOMAIN, CONFIG,
        Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
    for (long e : new long[] {3, (1L << 32) - 1}) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", Jca.provider());
      generator.initialize(new RSAKeyGenParameterSpec(2048, BigInteger.valueOf(e)));
      KeyPair keys = generator.generateKeyPair();
      CertificateRequest request = CertificateRequest.validate(
          LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), keys), TRUST_DOMAIN, "dc1",
          CONFIG);
      assertThat(ca.sign(request).getPublicKey()).as("e = %d", e).isEqualTo(keys.getPublic());
      assertThat(CONFIG.allowsLeafKey(keys.getPublic())).isTrue();
    }
  }

  @Test
  void allowsLeafKeyAppliesTheSameRuleToADecodedKey() throws Exception {
    // The JDK and BouncyCastle key factories refuse e = 1; a key from elsewhere may not.
    byte[] encoded = rsa(modulus2048, BigInteger.ONE).getEncoded();
    java.security.PublicKey exponentOne = new java.security.PublicKey() {
      private static final long serialVersionUID = 1L;

      @Override
      public String getAlgorithm() {
        return "RSA";
      }

      @Override
      public String getFormat() {
        return "X.509";
      }

      @Override
      public byte[] getEncoded() {
        return encoded.clone();
      }
    };
    assertThat(CONFIG.allowsLeafKey(exponentOne)).isFalse();
    assertThat(CONFIG.allowsLeafKey(signer.getPublic())).isTrue();
  }

  @Test
  void otherAlgorithmsAndCurvesAreRefusedBeforeTheSignatureIsChecked() throws Exception {
    KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519", Jca.provider()).generateKeyPair();
    assertProblem(csr(ed25519, "Ed25519", List.of(uri(WEB))), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("not allowed: Ed25519 (1.3.101.112);");

    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC", Jca.provider());
    ec.initialize(new ECGenParameterSpec("secp256k1"));
    assertProblem(csrWithKey(spki(ec.generateKeyPair())), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("not allowed: EC secp256k1 (1.3.132.0.10);");

    SubjectPublicKeyInfo p256 = spki(signer);
    assertProblem(csrWithKey(new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, DERNull.INSTANCE),
        p256.getPublicKeyData().getBytes())), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("not allowed: EC without a named curve;");

    assertProblem(csrWithKey(new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.dhKeyAgreement, DERNull.INSTANCE),
        new ASN1Integer(5))), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("not allowed: DH (1.2.840.113549.1.3.1);");
  }

  @Test
  void brokenEncodingOfAnRsaKeyIsMalformed() throws Exception {
    assertProblem(csrWithKey(new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
        new byte[] {0x30, 0x03, 0x02, 0x01})), Problem.MALFORMED)
        .hasMessageStartingWith("RSA public key in CSR cannot be decoded");
    assertProblem(csrWithKey(rsa(modulus2048.negate(), BigInteger.valueOf(65537))),
        Problem.MALFORMED).hasMessageContaining("not a positive number");
  }

  @Test
  void allowedCurveWithAPointNotOnItIsMalformed() throws Exception {
    byte[] point = spki(signer).getPublicKeyData().getBytes();
    point[point.length - 1] ^= 0x01;
    assertProblem(csrWithKey(new SubjectPublicKeyInfo(spki(signer).getAlgorithm(), point)),
        Problem.MALFORMED);
  }

  private static SubjectPublicKeyInfo rsa(BigInteger modulus, BigInteger exponent)
      throws Exception {
    return new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
        new RSAPublicKey(modulus, exponent));
  }

  private static SubjectPublicKeyInfo spki(KeyPair keys) {
    return SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
  }

  private static BigInteger oddWithTopBit(int bits) {
    return new BigInteger(bits, RANDOM).setBit(bits - 1).setBit(0);
  }

  /** A CSR for {@code WEB} carrying {@code key}, signed by the unrelated {@link #signer}. */
  static String csrWithKey(SubjectPublicKeyInfo key) throws Exception {
    GeneralNames san = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier,
        "spiffe://" + TD + "/ns/default/dc/dc1/svc/web"));
    PKCS10CertificationRequest csr =
        new PKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), key)
            .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(
                new Extension(Extension.subjectAlternativeName, false, san.getEncoded())))
            .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(Jca.provider())
                .build(signer.getPrivate()));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(csr);
    }
    return out.toString();
  }
}
