package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.LeafRequests;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import dev.connect.core.InvalidCsrException;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import dev.connect.core.ServiceId;
import dev.connect.core.SpiffeId;
import dev.connect.core.Certificates;
import dev.connect.testkit.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServerTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private static final QueryOptions NONE = QueryOptions.defaults();

  @TempDir Path dir;
  final FakeTime clock = FakeTime.at(START);

  private EmbeddedServer open() throws Exception {
    return EmbeddedServer.builder().dataDirectory(dir).clock(clock).open();
  }

  @Test
  void firstOpenCreatesCaAndReopenKeepsTheSameRoot() throws Exception {
    CaRoots first;
    try (EmbeddedServer server = open()) {
      first = Leaves.roots(server);
      assertThat(first.trustDomain()).matches("[0-9a-f-]{36}\\.consul");
      assertThat(first.roots()).hasSize(1);
      CaRoot root = first.active();
      assertThat(root.name()).isEqualTo("Consul CA Root Cert");
      assertThat(root.externalTrustDomain() + ".consul").isEqualTo(first.trustDomain());
      assertThat(SpiffeId.fromCertificate(root.certificate()).toString())
          .isEqualTo("spiffe://" + first.trustDomain());
      assertThat(root.signingKeyId()).matches("([0-9a-f]{2}:){31}[0-9a-f]{2}");
    }
    try (EmbeddedServer server = open()) {
      CaRoots again = Leaves.roots(server);
      assertThat(again.trustDomain()).isEqualTo(first.trustDomain());
      assertThat(again.activeRootId()).isEqualTo(first.activeRootId());
      assertThat(again.active().certificate()).isEqualTo(first.active().certificate());
    }
  }

  @Test
  void keysAreOwnerOnlyAndStateIsNotWorldReadable() throws Exception {
    try (EmbeddedServer server = open()) {
      assertThat(Files.getPosixFilePermissions(dir.resolve("keys")))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      try (Stream<Path> keys = Files.list(dir.resolve("keys"))) {
        List<Path> files = keys.toList();
        assertThat(files).hasSize(1);
        assertThat(Files.getPosixFilePermissions(files.get(0)))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(files.get(0))).startsWith("-----BEGIN PRIVATE KEY-----");
      }
      assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("PRIVATE KEY");
    }
  }

  @Test
  void signsLeavesThatChainToTheActiveRoot() throws Exception {
    try (EmbeddedServer server = open()) {
      IssuedCertificate web = Leaves.issue(server, "web");
      CaRoots roots = Leaves.roots(server);
      assertThat(web.service()).isEqualTo(ServiceId.of(roots.trustDomain(), "dc1", "web"));
      assertThat(SpiffeId.fromCertificate(web.certificate())).isEqualTo(web.service().spiffeId());
      assertThat(web.validAfter()).isEqualTo(START.minus(Duration.ofMinutes(1)));
      assertThat(web.validBefore()).isEqualTo(web.validAfter().plus(Duration.ofHours(72)));
      assertThat(web.intermediates()).isEmpty();
      assertThat(Leaves.pkix(web.chain(), roots.certificates(), clock.instant()))
          .isEqualTo(roots.active().certificate());
    }
  }

  @Test
  void eachLeafGetsANewIndexAndIndexesNeverRepeatAcrossRestarts() throws Exception {
    long before;
    try (EmbeddedServer server = open()) {
      long a = Leaves.issue(server, "web").createIndex();
      long b = Leaves.issue(server, "web").createIndex();
      assertThat(b).isGreaterThan(a);
      before = b;
    }
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.issue(server, "db").createIndex()).isGreaterThan(before);
      assertThat(server.roots(QueryOptions.defaults()).get().index()).isGreaterThan(0);
    }
  }

  @Test
  void moreLeavesThanOneIndexReservationKeepIndexesIncreasingAcrossRestart() throws Exception {
    long last = 0;
    try (EmbeddedServer server = open()) {
      for (int i = 0; i < 1100; i++) {
        long index = server.signLeaf(
            LeafRequests.csrPem(ServiceId.of(server.trustDomain().trustDomain(), "dc1", "web"),
                LeafRequests.newKeyPair()), QueryOptions.defaults()).get().index();
        assertThat(index).isGreaterThan(last);
        last = index;
      }
    }
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.issue(server, "web").createIndex()).isGreaterThan(last);
    }
  }

  @Test
  void refusesCsrForAnotherDatacenterWithTheCsrProblem() throws Exception {
    try (EmbeddedServer server = open()) {
      ServiceId elsewhere = ServiceId.of(server.trustDomain().trustDomain(), "dc9", "web");
      CompletableFuture<QueryResult<IssuedCertificate>> f = server.signLeaf(
          LeafRequests.csrPem(elsewhere, LeafRequests.newKeyPair()), QueryOptions.defaults());
      assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(InvalidCsrException.class)
          .hasMessageContaining("dc9")
          .satisfies(e -> assertThat(((InvalidCsrException) e).problem())
              .isEqualTo(InvalidCsrException.Problem.WRONG_DATACENTER));
    }
  }

  @Test
  void queryForAnotherDatacenterFailsNamingIt() throws Exception {
    try (EmbeddedServer server = open()) {
      CompletableFuture<QueryResult<CaRoots>> f =
          server.roots(QueryOptions.builder().datacenter("dc9").build());
      assertThatThrownBy(f::get).cause().isInstanceOf(ConnectException.class)
          .hasMessageContaining("No path to datacenter \"dc9\"");
    }
  }

  @Test
  void rotationCrossSignsAndNewLeavesVerifyAgainstTheOldRootAlone() throws Exception {
    try (EmbeddedServer server = open()) {
      CaRoots before = Leaves.roots(server);
      IssuedCertificate oldLeaf = Leaves.issue(server, "web");
      clock.advance(Duration.ofMinutes(5));
      CaRoots after = server.rotateRoot(NONE);

      assertThat(after.trustDomain()).isEqualTo(before.trustDomain());
      assertThat(after.roots()).hasSize(2);
      CaRoot old = after.roots().get(0);
      CaRoot active = after.active();
      assertThat(old.id()).isEqualTo(before.activeRootId());
      assertThat(old.active()).isFalse();
      assertThat(old.rotatedOutAt()).contains(clock.instant());
      assertThat(active.id()).isNotEqualTo(old.id()).isEqualTo(after.activeRootId());
      assertThat(active.intermediates()).hasSize(1);
      assertThat(active.intermediates().get(0).getIssuerX500Principal())
          .isEqualTo(old.certificate().getSubjectX500Principal());
      assertThat(active.intermediates().get(0).getPublicKey())
          .isEqualTo(active.certificate().getPublicKey());

      IssuedCertificate newLeaf = Leaves.issue(server, "web");
      assertThat(newLeaf.intermediates()).isEqualTo(active.intermediates());
      // A peer that only trusts the old root accepts the new leaf through the cross-signed cert.
      assertThat(Leaves.pkix(newLeaf.chain(), List.of(old.certificate()), clock.instant()))
          .isEqualTo(old.certificate());
      assertThatThrownBy(() -> Leaves.pkix(List.of(newLeaf.certificate()),
          List.of(old.certificate()), clock.instant()))
          .isInstanceOf(CertPathValidatorException.class);
      // A peer that already trusts both accepts old and new leaves.
      assertThat(Leaves.pkix(List.of(newLeaf.certificate()), after.certificates(),
          clock.instant())).isEqualTo(active.certificate());
      assertThat(Leaves.pkix(oldLeaf.chain(), after.certificates(), clock.instant()))
          .isEqualTo(old.certificate());
    }
    try (EmbeddedServer server = open(); Stream<Path> keys = Files.list(dir.resolve("keys"))) {
      CaRoots reopened = Leaves.roots(server);
      assertThat(reopened.roots()).hasSize(2);
      assertThat(reopened.active().intermediates()).hasSize(1);
      assertThat(keys.count()).as("only the active root's key is kept").isEqualTo(1);
    }
  }

  @Test
  void blockingRootsQueryAnswersWhenTheRootsChange() throws Exception {
    try (EmbeddedServer server = open()) {
      QueryResult<CaRoots> first = server.roots(QueryOptions.defaults()).get();
      CompletableFuture<QueryResult<CaRoots>> waiting = server.roots(QueryOptions.builder()
          .minIndex(first.index()).maxWait(Duration.ofMinutes(5)).build());
      Leaves.issue(server, "web"); // a leaf does not change the roots
      assertThat(waiting).isNotDone();
      CaRoots rotated = server.rotateRoot(NONE);
      QueryResult<CaRoots> answer = waiting.get(10, TimeUnit.SECONDS);
      assertThat(answer.index()).isGreaterThan(first.index());
      assertThat(answer.value().activeRootId()).isEqualTo(rotated.activeRootId());
    }
  }

  @Test
  void operatorSuppliedRootBecomesActiveCrossSignedByTheOld() throws Exception {
    try (EmbeddedServer server = open()) {
      CaRoots before = Leaves.roots(server);
      BuiltInCaProvider mine = BuiltInCaProvider.generate(server.trustDomain(),
          server.caConfiguration(NONE), clock);
      BuiltInCaProvider other = BuiltInCaProvider.generate(server.trustDomain(),
          server.caConfiguration(NONE), clock);
      String minePem = Certificates.toPem(mine.rootCertificate());

      assertThatThrownBy(() -> server.rotateRoot(other.exportPrivateKeyPkcs8Pem(), minePem, NONE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(Leaves.roots(server).activeRootId()).isEqualTo(before.activeRootId());

      CaRoots after = server.rotateRoot(mine.exportPrivateKeyPkcs8Pem(), minePem, NONE);
      assertThat(after.active().certificate()).isEqualTo(mine.rootCertificate());
      IssuedCertificate leaf = Leaves.issue(server, "db");
      assertThat(Leaves.pkix(leaf.chain(), List.of(before.active().certificate()),
          clock.instant())).isEqualTo(before.active().certificate());
    }
  }

  /**
   * Regression: rotating to the root that was already active (a retried call) listed it twice
   * and deleted its key file, whose name is the root's ID; the next open failed for good.
   */
  @Test
  void rotatingToAListedRootIsRefusedAndKeepsItsKey() throws Exception {
    String rootId;
    try (EmbeddedServer server = open()) {
      BuiltInCaProvider mine = BuiltInCaProvider.generate(server.trustDomain(),
          server.caConfiguration(QueryOptions.defaults()), clock);
      String key = mine.exportPrivateKeyPkcs8Pem();
      String cert = Certificates.toPem(mine.rootCertificate());
      rootId = server.rotateRoot(key, cert, QueryOptions.defaults()).activeRootId();
      assertThatThrownBy(() -> server.rotateRoot(key, cert, QueryOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(rootId).hasMessageContaining("already listed (active)");
      assertThat(Leaves.roots(server).roots()).hasSize(2);
    }
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.roots(server).activeRootId()).isEqualTo(rootId);
      assertThat(Leaves.issue(server, "web").certificate().getIssuerX500Principal())
          .isEqualTo(Leaves.roots(server).active().certificate().getSubjectX500Principal());
    }
  }

  /**
   * Regression: cancelling a blocking query's future left its waiter and timeout behind for up
   * to ten minutes, because the caller holds a derived future.
   */
  @Test
  void cancelledBlockingQueriesReleaseTheirWaiters() throws Exception {
    try (EmbeddedServer server = open()) {
      long index = server.roots(QueryOptions.defaults()).get().index();
      QueryOptions blocking = QueryOptions.builder().minIndex(index)
          .maxWait(Duration.ofMinutes(10)).build();
      List<CompletableFuture<?>> waiting = new java.util.ArrayList<>();
      for (int i = 0; i < 100; i++) {
        waiting.add(server.roots(blocking));
        waiting.add(server.intentions(blocking));
      }
      assertThat(server.waitingQueries()).isEqualTo(200);
      waiting.forEach(f -> f.cancel(false));
      assertThat(server.waitingQueries()).isZero();
    }
  }

  @Test
  void leafTtlChangeKeepsTheRootAndKeySpecChangeRotates() throws Exception {
    try (EmbeddedServer server = open()) {
      String rootId = Leaves.roots(server).activeRootId();
      CaRoots same = server.updateCaConfiguration(server.caConfiguration(NONE).toBuilder()
          .leafCertTtl(Duration.ofHours(24)).build(), NONE);
      assertThat(same.activeRootId()).isEqualTo(rootId);
      IssuedCertificate leaf = Leaves.issue(server, "web");
      assertThat(Duration.between(leaf.validAfter(), leaf.validBefore()))
          .isEqualTo(Duration.ofHours(24));

      CaRoots rsa = server.updateCaConfiguration(server.caConfiguration(NONE).toBuilder()
          .rsa2048().build(), NONE);
      assertThat(rsa.activeRootId()).isNotEqualTo(rootId);
      assertThat(rsa.active().privateKeyType().wireName()).isEqualTo("rsa");
      assertThat(rsa.active().privateKeyBits()).isEqualTo(2048);
    }
    try (EmbeddedServer server = open()) {
      assertThat(server.caConfiguration(NONE).leafCertTtl()).isEqualTo(Duration.ofHours(24));
      assertThat(Leaves.roots(server).active().privateKeyBits()).isEqualTo(2048);
    }
  }

  @Test
  void rotatedOutRootIsPrunedAfterTwiceTheLeafLifetime() throws Exception {
    try (EmbeddedServer server = open()) {
      server.rotateRoot(NONE);
      clock.advance(Duration.ofHours(144));
      assertThat(server.pruneRoots()).isZero();
      clock.advance(Duration.ofSeconds(1));
      long before = server.roots(QueryOptions.defaults()).get().index();
      assertThat(server.pruneRoots()).isEqualTo(1);
      QueryResult<CaRoots> after = server.roots(QueryOptions.defaults()).get();
      assertThat(after.value().roots()).hasSize(1);
      assertThat(after.index()).isGreaterThan(before);
    }
  }

  @Test
  void secondServerOnTheSameDirectoryIsRefused() throws Exception {
    try (EmbeddedServer server = open()) {
      assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
          .hasMessageContaining(dir.toString()).hasMessageContaining("in use")
          .hasMessageContaining("held by pid " + ProcessHandle.current().pid() + ", since ");
    }
  }

  @Test
  void corruptStateIsReportedNotReplaced() throws Exception {
    String rootId;
    try (EmbeddedServer server = open()) {
      rootId = Leaves.roots(server).activeRootId();
    }
    Path state = dir.resolve("state.json");
    byte[] bytes = Files.readAllBytes(state);
    Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("state.json").hasMessageContaining("corrupt");
    Files.write(state, bytes);
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.roots(server).activeRootId()).isEqualTo(rootId);
    }
  }

  @Test
  void keysWithoutStateAreReportedNotReplaced() throws Exception {
    try (EmbeddedServer server = open()) {
      Leaves.roots(server);
    }
    Files.delete(dir.resolve("state.json"));
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("no state.json");
  }

  @Test
  void missingActiveKeyIsReported() throws Exception {
    try (EmbeddedServer server = open()) {
      Leaves.roots(server);
    }
    try (Stream<Path> keys = Files.list(dir.resolve("keys"))) {
      for (Path key : keys.toList()) {
        Files.delete(key);
      }
    }
    assertThatThrownBy(this::open).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("private key is missing");
  }

  @Test
  void interruptedFirstStartIsStartedAgain() throws Exception {
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/root-0123.key.pem"), "half a key");
    Files.writeString(dir.resolve("INITIALIZING"), "");
    try (EmbeddedServer server = open()) {
      assertThat(Leaves.roots(server).roots()).hasSize(1);
      assertThat(dir.resolve("INITIALIZING")).doesNotExist();
      assertThat(dir.resolve("keys/root-0123.key.pem")).doesNotExist();
    }
  }

  @Test
  void defaultsAreConsulsAndBuilderRequiresADirectory() {
    assertThatThrownBy(() -> EmbeddedServer.builder().open())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataDirectory");
    assertThatThrownBy(() -> EmbeddedServer.builder().datacenter("dc/1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dc/1");
    assertThatThrownBy(() -> EmbeddedServer.builder().datacenter("dc1").datacenter("dc2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("datacenter was already set to dc1");
    assertThatThrownBy(() -> EmbeddedServer.builder().initialManagementToken("s3cret")
        .initialManagementToken("s3cret")).isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("s3cret");
    assertThat(CaConfiguration.defaults().leafCertTtl()).isEqualTo(Duration.ofHours(72));
  }
}
