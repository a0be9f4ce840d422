package dev.connect.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.internal.Jca;
import dev.connect.core.InvalidCsrException;
import dev.connect.core.InvalidCsrException.Problem;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each check of {@link CertificateRequest#validate}, with a CSR built to fail it. */
class CertificateRequestTest {
  static final String TD = "7f3c9a1e-0b5d-4c2e-9f13-2a6b8c4d1e70.consul";
  static final SigningId TRUST_DOMAIN = SigningId.of(TD);
  static final String WEB = "spiffe://" + TD + "/ns/default/dc/dc1/svc/web";
  static final CaConfiguration CONFIG = CaConfiguration.defaults();

  static KeyPair p256;

  @BeforeAll
  static void makeKey() {
    p256 = LeafRequests.newKeyPair();
  }

  @Test
  void agentStyleCsrIsValid() {
    String pem = LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), p256);
    assertThat(pem).startsWith("-----BEGIN CERTIFICATE REQUEST-----\n").endsWith("\n");
    CertificateRequest request = CertificateRequest.validate(pem, TRUST_DOMAIN, "dc1", CONFIG);
    assertThat(request.serviceId()).isEqualTo(ServiceId.of(TD, "dc1", "web"));
    assertThat(request.publicKey()).isEqualTo(p256.getPublic());
    assertThat(request.toString()).isEqualTo("CertificateRequest[" + WEB + ", EC P-256]");
    assertThat(new PKCS10CertificationRequestHolder(request.encoded()).subject().getRDNs())
        .as("empty subject, as Consul agents send").isEmpty();
  }

  @Test
  void csrWithDnsNamesBesideTheUriIsValidAndTheDnsNamesAreIgnored() {
    String pem = csr(p256, List.of(uri(WEB), new GeneralName(GeneralName.dNSName, "web.local")));
    assertThat(CertificateRequest.validate(pem, TRUST_DOMAIN, "dc1", CONFIG).serviceId()
        .service()).isEqualTo("web");
  }

  @Test
  void rsaLeafKeysFrom2048BitsAreAllowed() throws Exception {
    String pem = csr(rsa(2048), List.of(uri(WEB)));
    assertThat(CertificateRequest.validate(pem, TRUST_DOMAIN, "dc1", CONFIG).toString())
        .endsWith(", RSA 2048 bits]");
  }

  @Test
  void otherSignatureAlgorithmsVerifyToo() throws Exception {
    assertThat(CertificateRequest.validate(csr(p256, "SHA384withECDSA", List.of(uri(WEB))),
        TRUST_DOMAIN, "dc1", CONFIG).serviceId().service()).isEqualTo("web");
    assertThat(CertificateRequest.validate(csr(rsa(2048), "SHA256withRSAandMGF1",
        List.of(uri(WEB))), TRUST_DOMAIN, "dc1", CONFIG).serviceId().service()).isEqualTo("web");
  }

  @Test
  void malformedGarbageText() {
    String garbage = "this is not a CSR at all, it goes on and on ".repeat(200);
    assertProblem(garbage, Problem.MALFORMED)
        .hasMessageContaining("no PEM-encoded data found")
        .hasMessageContaining("8800 characters starting \"this is not a CSR")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }

  @Test
  void malformedOtherPemType() {
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder().encodeToString(new byte[] {0x30, 0x00})
        + "\n-----END CERTIFICATE-----\n";
    assertProblem(pem, Problem.MALFORMED).hasMessageContaining("found CERTIFICATE");
  }

  @Test
  void malformedPkcs10Content() {
    String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
        + Base64.getMimeEncoder().encodeToString("not DER".getBytes())
        + "\n-----END CERTIFICATE REQUEST-----\n";
    assertProblem(pem, Problem.MALFORMED).hasMessageContaining("not a PKCS#10 request");
  }

  @Test
  void malformedWhenTwoPemBlocks() {
    String one = LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), p256);
    assertProblem(one + one, Problem.MALFORMED)
        .hasMessageContaining("found another after the CSR: CERTIFICATE REQUEST");
  }

  @Test
  void badSignatureWhenOneByteIsFlipped() {
    byte[] der = pemToDer(LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), p256));
    // The signature's S integer ends the DER; changing its last byte keeps it well-formed.
    der[der.length - 1] ^= 0x01;
    assertProblem(derToPem(der), Problem.BAD_SIGNATURE)
        .hasMessageContaining("does not verify")
        .hasMessageContaining("SHA256WITHECDSA")
        .hasMessageContaining("EC P-256");
  }

  @Test
  void noUriSanWhenOnlyADnsName() {
    assertProblem(csr(p256, List.of(new GeneralName(GeneralName.dNSName, "web.local"))),
        Problem.NO_URI_SAN).hasMessageContaining("found only DNS:web.local");
  }

  @Test
  void noUriSanWhenNoExtensionsAtAll() {
    assertProblem(csr(p256, List.of()), Problem.NO_URI_SAN)
        .hasMessageContaining("no subject alternative names at all");
  }

  @Test
  void multipleUriSans() {
    String db = "spiffe://" + TD + "/ns/default/dc/dc1/svc/db";
    assertProblem(csr(p256, List.of(uri(WEB), uri(db))), Problem.MULTIPLE_URI_SANS)
        .hasMessageContaining("2 URI subject alternative names")
        .hasMessageContaining(WEB + ", " + db);
  }

  @Test
  void notAServiceIdWhenAgentId() {
    String agent = "spiffe://" + TD + "/agent/client/dc/dc1/id/node-1";
    assertProblem(csr(p256, List.of(uri(agent))), Problem.NOT_A_SERVICE_ID)
        .hasMessage("SPIFFE ID in CSR must be a service ID, not an agent ID: " + agent);
  }

  @Test
  void notAServiceIdWhenSigningId() {
    assertProblem(csr(p256, List.of(uri("spiffe://" + TD))), Problem.NOT_A_SERVICE_ID)
        .hasMessageContaining("not a signing (CA) ID: spiffe://" + TD);
  }

  @Test
  void notAServiceIdWhenNotSpiffe() {
    assertProblem(csr(p256, List.of(uri("https://web.example/svc"))), Problem.NOT_A_SERVICE_ID)
        .hasMessageContaining("https://web.example/svc")
        .hasMessageContaining("scheme must be \"spiffe\"");
  }

  @Test
  void wrongTrustDomain() {
    String other = "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web";
    assertProblem(csr(p256, List.of(uri(other))), Problem.WRONG_TRUST_DOMAIN)
        .hasMessage("SPIFFE ID in CSR from a different trust domain:"
            + " 11111111-2222-3333-4444-555555555555.consul, we are " + TD);
  }

  @Test
  void wrongDatacenter() {
    String dc2 = "spiffe://" + TD + "/ns/default/dc/dc2/svc/web";
    assertProblem(csr(p256, List.of(uri(dc2))), Problem.WRONG_DATACENTER)
        .hasMessage("SPIFFE ID in CSR from a different datacenter: dc2, we are dc1");
  }

  @Test
  void keyNotAllowedWhenRsa1024() throws Exception {
    assertProblem(csr(rsa(1024), List.of(uri(WEB))), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("RSA 1024 bits");
  }

  @Test
  void keyNotAllowedWhenP521() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", Jca.provider());
    generator.initialize(new ECGenParameterSpec("secp521r1"));
    assertProblem(csr(generator.generateKeyPair(), List.of(uri(WEB))), Problem.KEY_NOT_ALLOWED)
        .hasMessageContaining("EC P-521");
  }

  @Test
  void keyNotAllowedWhenP256IsSpelledOutAsExplicitParameters() throws Exception {
    java.security.interfaces.ECPublicKey named =
        (java.security.interfaces.ECPublicKey) p256.getPublic();
    java.security.spec.ECParameterSpec p = named.getParams();
    java.security.PublicKey explicit = java.security.KeyFactory.getInstance("EC", Jca.provider())
        .generatePublic(new java.security.spec.ECPublicKeySpec(named.getW(),
            new java.security.spec.ECParameterSpec(p.getCurve(), p.getGenerator(), p.getOrder(),
                p.getCofactor())));
    assertThat(explicit.getEncoded()).hasSizeGreaterThan(named.getEncoded().length);
    assertProblem(csr(new KeyPair(explicit, p256.getPrivate()), List.of(uri(WEB))),
        Problem.KEY_NOT_ALLOWED).hasMessageContaining("explicit curve parameters");
  }

  @Test
  void caRequestedWithBasicConstraints() {
    assertProblem(csr(p256, List.of(uri(WEB)), ext(Extension.basicConstraints,
        new BasicConstraints(true))), Problem.CA_REQUESTED)
        .hasMessageContaining("basic constraints CA:TRUE");
  }

  @Test
  void caRequestedWithKeyCertSign() {
    assertProblem(csr(p256, List.of(uri(WEB)), ext(Extension.keyUsage,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign))), Problem.CA_REQUESTED)
        .hasMessage("CSR requests a CA key usage: keyCertSign");
  }

  @Test
  void checksRunInOrder() throws Exception {
    String otherEverything = "spiffe://other.consul/ns/evil/dc/dc2/svc/web";
    assertProblem(csr(rsa(1024), List.of(uri(otherEverything))), Problem.KEY_NOT_ALLOWED);
    byte[] der = pemToDer(csr(p256, List.of(uri(otherEverything))));
    der[der.length - 1] ^= 0x01;
    assertProblem(derToPem(der), Problem.BAD_SIGNATURE);
    assertProblem(csr(p256, List.of(uri(otherEverything))), Problem.WRONG_TRUST_DOMAIN);
    assertProblem(csr(p256, List.of(uri("spiffe://" + TD + "/ns/evil/dc/dc2/svc/web"))),
        Problem.WRONG_DATACENTER);
    assertProblem(csr(p256, List.of(uri("spiffe://" + TD + "/ns/evil/dc/dc1/svc/web")),
        ext(Extension.basicConstraints, new BasicConstraints(true))),
        Problem.NAMESPACE_NOT_SUPPORTED);
  }

  @Test
  void problemsAreDeclaredInTheOrderTheyAreChecked() {
    assertThat(Problem.values()).containsExactly(Problem.MALFORMED, Problem.KEY_NOT_ALLOWED,
        Problem.BAD_SIGNATURE, Problem.NO_URI_SAN, Problem.MULTIPLE_URI_SANS,
        Problem.NOT_A_SERVICE_ID, Problem.WRONG_TRUST_DOMAIN, Problem.WRONG_DATACENTER,
        Problem.NAMESPACE_NOT_SUPPORTED, Problem.CA_REQUESTED);
  }

  @Test
  void emptyDatacenterIsAProgrammingError() {
    String pem = LeafRequests.csrPem(ServiceId.of(TD, "dc1", "web"), p256);
    assertThatThrownBy(() -> CertificateRequest.validate(pem, TRUST_DOMAIN, "", CONFIG))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> assertProblem(String pem,
      Problem problem) {
    return assertThatThrownBy(() -> CertificateRequest.validate(pem, TRUST_DOMAIN, "dc1", CONFIG))
        .isInstanceOf(InvalidCsrException.class)
        .satisfies(e -> assertThat(((InvalidCsrException) e).problem()).isEqualTo(problem));
  }

  static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  static Extension ext(org.bouncycastle.asn1.ASN1ObjectIdentifier oid,
      org.bouncycastle.asn1.ASN1Encodable value) {
    try {
      return new Extension(oid, true, value.toASN1Primitive().getEncoded());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA", Jca.provider());
    generator.initialize(bits);
    return generator.generateKeyPair();
  }

  /** A CSR with an empty subject, the given SANs (none: no extension request) and extras. */
  static String csr(KeyPair keys, List<GeneralName> sans, Extension... extra) {
    String algorithm = keys.getPublic().getAlgorithm().startsWith("RSA")
        ? "SHA256withRSA" : "SHA256withECDSA";
    return csr(keys, algorithm, sans, extra);
  }

  static String csr(KeyPair keys, String algorithm, List<GeneralName> sans, Extension... extra) {
    try {
      PKCS10CertificationRequestBuilder builder =
          new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=test"), keys.getPublic());
      List<Extension> extensions = new ArrayList<>();
      if (!sans.isEmpty()) {
        extensions.add(new Extension(Extension.subjectAlternativeName, false,
            new GeneralNames(sans.toArray(GeneralName[]::new)).getEncoded()));
      }
      extensions.addAll(List.of(extra));
      if (!extensions.isEmpty()) {
        builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
            new Extensions(extensions.toArray(Extension[]::new)));
      }
      PKCS10CertificationRequest csr = builder.build(
          new JcaContentSignerBuilder(algorithm).setProvider(Jca.provider())
              .build(keys.getPrivate()));
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(csr);
      }
      return out.toString();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] pemToDer(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
  }

  static String derToPem(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  /** Reads back what a request holds, through BouncyCastle. */
  record PKCS10CertificationRequestHolder(PKCS10CertificationRequest csr) {
    PKCS10CertificationRequestHolder(byte[] der) {
      this(parse(der));
    }

    X500Name subject() {
      return csr.getSubject();
    }

    private static PKCS10CertificationRequest parse(byte[] der) {
      try {
        return new PKCS10CertificationRequest(der);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }
}
