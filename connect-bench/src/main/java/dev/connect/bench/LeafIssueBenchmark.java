package dev.connect.bench;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issuing one leaf end to end against the raw cryptographic floor of the same work.
 *
 * <p>{@link #issueLeaf} is what an agent and the CA do for one leaf: a P-256 key pair, a CSR
 * signed with it, the CA's validation of the CSR (one signature verification), the CA's signature
 * over the leaf, and the PEM encoding of the result. {@link #floor} is the irreducible part of it:
 * one P-256 key generation, two ECDSA-SHA256 signatures and one verification, with no ASN.1, no
 * checks and no encoding. The goal is {@code issueLeaf <= 1.3 x floor(BC)}. The floor is measured
 * with BouncyCastle (the CA's provider) and with the JDK's SunEC, to show why the CA names
 * BouncyCastle.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LeafIssueBenchmark {

  /** The CA and a request to issue against, made once. */
  @State(Scope.Benchmark)
  public static class Ca {
    BuiltInCaProvider provider;
    SigningId trustDomain;
    CaConfiguration config;
    ServiceId web;

    /** Creates the CA. */
    @Setup(Level.Trial)
    public void setUp() {
      config = CaConfiguration.defaults();
      trustDomain = SigningId.of("11111111-2222-3333-4444-555555555555.consul");
      provider = BuiltInCaProvider.generate(trustDomain, config, Clock.systemUTC());
      web = ServiceId.of(trustDomain.trustDomain(), "dc1", "web");
    }
  }

  /** The JCA objects of the floor, per provider. */
  @State(Scope.Thread)
  public static class Floor {
    /** The JCA provider measured. */
    @Param({"BC", "SunEC"})
    public String provider;

    KeyPairGenerator generator;
    Signature signer;
    Signature verifier;
    KeyPair caKey;
    final byte[] message = new byte[400]; // about the size of a leaf's TBSCertificate

    /** Creates the generator and signature objects. */
    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
      Provider p = provider.equals("BC") ? new BouncyCastleProvider()
          : java.security.Security.getProvider("SunEC");
      SecureRandom random = new SecureRandom();
      random.nextBytes(message);
      generator = KeyPairGenerator.getInstance("EC", p);
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      signer = Signature.getInstance("SHA256withECDSA", p);
      verifier = Signature.getInstance("SHA256withECDSA", p);
      caKey = generator.generateKeyPair();
    }
  }

  /**
   * Key pair, CSR, CSR validation, signature and PEM encoding of one leaf.
   *
   * @param ca the CA
   * @return the leaf in PEM
   */
  @Benchmark
  public String issueLeaf(Ca ca) {
    KeyPair keyPair = LeafRequests.newKeyPair();
    String csr = LeafRequests.csrPem(ca.web, keyPair);
    CertificateRequest request =
        CertificateRequest.validate(csr, ca.trustDomain, "dc1", ca.config);
    return Certificates.toPem(ca.provider.sign(request));
  }

  /**
   * One P-256 key generation, two signatures, one verification.
   *
   * @param f the JCA objects
   * @return the verification result
   * @throws GeneralSecurityException never, with a working provider
   */
  @Benchmark
  public boolean floor(Floor f) throws GeneralSecurityException {
    KeyPair leafKey = f.generator.generateKeyPair();
    f.signer.initSign(leafKey.getPrivate());
    f.signer.update(f.message);
    byte[] csrSignature = f.signer.sign();
    f.verifier.initVerify(leafKey.getPublic());
    f.verifier.update(f.message);
    boolean ok = f.verifier.verify(csrSignature);
    f.signer.initSign(f.caKey.getPrivate());
    f.signer.update(f.message);
    return ok & f.signer.sign().length > 0;
  }
}
