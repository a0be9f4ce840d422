package dev.connect.bench;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaProvider;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.LeafRequests;
import dev.connect.ca.vault.VaultCaProvider;
import dev.connect.ca.vault.VaultConfiguration;
import dev.connect.core.Certificates;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import dev.connect.peers.VaultDev;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Leaf issuance through the Vault CA provider next to the built-in provider, in the same run
 * (issue 16). {@link #issueLeaf} is the work of one leaf as {@code LeafIssueBenchmark.issueLeaf}
 * measures it (key pair, CSR, CSR checks, signature, PEM), with the signature made by {@code
 * provider}: {@code builtin} in process, or {@code vault}, one HTTP round trip to a real Vault
 * dev server on loopback ({@code sign/<role>}) plus the provider's checks of the returned leaf.
 * The Vault server is started once per trial ({@link VaultDev}: needs the Vault binary of {@code
 * ../shared/peers/} or {@code VAULT_BIN}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VaultLeafIssueBenchmark {

  /** The provider measured and what it needs. */
  @State(Scope.Benchmark)
  public static class Ca {
    /** Which provider signs: {@code builtin} or {@code vault}. */
    @Param({"builtin", "vault"})
    public String provider;

    CaProvider ca;
    SigningId trustDomain;
    CaConfiguration config;
    ServiceId web;
    VaultDev vault;

    /** Creates the CA; for {@code vault}, starts a Vault dev server and sets up the mounts. */
    @Setup(Level.Trial)
    public void setUp() {
      config = CaConfiguration.defaults();
      trustDomain = SigningId.of("11111111-2222-3333-4444-555555555555.consul");
      web = ServiceId.of(trustDomain.trustDomain(), "dc1", "web");
      if (provider.equals("vault")) {
        vault = VaultDev.start();
        ca = VaultCaProvider.open(VaultConfiguration.builder()
            .address(vault.address().toString()).token(vault.rootToken())
            .rootPkiPath("connect-root").intermediatePkiPath("connect-intermediate").build(),
            trustDomain, config, Optional.empty());
      } else {
        ca = BuiltInCaProvider.generate(trustDomain, config, Clock.systemUTC());
      }
    }

    /** Stops the Vault server, if any. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (vault != null) {
        vault.close();
      }
    }
  }

  /**
   * Key pair, CSR, CSR validation, the provider's signature and PEM encoding of one leaf.
   *
   * @param ca the provider
   * @return the leaf in PEM
   */
  @Benchmark
  public String issueLeaf(Ca ca) {
    KeyPair keyPair = LeafRequests.newKeyPair();
    String csr = LeafRequests.csrPem(ca.web, keyPair);
    CertificateRequest request =
        CertificateRequest.validate(csr, ca.trustDomain, "dc1", ca.config);
    return Certificates.toPem(ca.ca.sign(request));
  }
}
