package dev.connect.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CertificateRequest;
import dev.connect.ca.ExternalCaProvider;
import dev.connect.core.CaRoots;
import dev.connect.core.QueryOptions;
import dev.connect.core.SigningId;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two rotations of an external provider (Vault) at once would build their intermediates in the
 * same spare mount, the second {@code intermediate/generate} replacing the key of the first's
 * intermediate: the server runs them one at a time. The provider here holds the first rotation
 * inside {@link ExternalCaProvider#rotateIntermediate()} until the test releases it; the second
 * rotation must wait outside (its thread blocked in the server), never enter beside it.
 */
class ExternalProviderRotationsRunOneAtATimeTest {
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(20);

  @TempDir Path dir;

  @Test
  void aSecondRotationWaitsUntilTheFirstHasFinished() throws Exception {
    FakeTime time = FakeTime.at(Instant.parse("2026-01-01T00:00:00Z"));
    FakeScheduler scheduler = FakeScheduler.on(time);
    Gate gate = new Gate();
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).clock(time)
        .scheduler(scheduler).caProvider(GatedProvider.factory(gate, time)).open()) {
      CompletableFuture<CaRoots> first = new CompletableFuture<>();
      CompletableFuture<CaRoots> second = new CompletableFuture<>();
      Thread one = rotation(server, first, "rotation-1");
      Thread two = rotation(server, second, "rotation-2");
      try {
        one.start();
        assertThat(gate.firstEntered.await(20, TimeUnit.SECONDS)).isTrue();
        two.start();
        long deadline = System.nanoTime() + BOUND_NANOS;
        // Bounded: until the second rotation enters the provider too (the failure) or waits
        // on the server's rotation lock.
        while (gate.entries.get() < 2 && !waitsOnTheRotationLock(two)
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        assertThat(gate.entries.get()).as("rotations inside the provider at once").isEqualTo(1);
        assertThat(waitsOnTheRotationLock(two)).as("the second rotation waits in the server")
            .isTrue();
      } finally {
        gate.release.countDown();
        one.join(TimeUnit.SECONDS.toMillis(20));
        two.join(TimeUnit.SECONDS.toMillis(20));
      }
      assertThat(first.get(20, TimeUnit.SECONDS)).isNotNull();
      assertThat(second.get(20, TimeUnit.SECONDS)).isNotNull();
      assertThat(gate.entries.get()).isEqualTo(2);
      assertThat(gate.mostInsideAtOnce.get()).isEqualTo(1);
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static Thread rotation(EmbeddedServer server, CompletableFuture<CaRoots> result,
      String name) {
    Thread t = new Thread(() -> {
      try {
        result.complete(server.rotateRoot(QueryOptions.defaults()));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, name);
    t.setDaemon(true);
    return t;
  }

  private static boolean waitsOnTheRotationLock(Thread t) {
    if (t.getState() != Thread.State.BLOCKED) {
      return false;
    }
    StackTraceElement[] stack = t.getStackTrace();
    return stack.length > 0 && stack[0].getClassName().endsWith(".CaStore")
        && stack[0].getMethodName().startsWith("rotateIntermediate");
  }

  /** Counts the rotations inside the provider and holds them until released. */
  private static final class Gate {
    final CountDownLatch firstEntered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger entries = new AtomicInteger();
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger mostInsideAtOnce = new AtomicInteger();

    void pass() {
      entries.incrementAndGet();
      mostInsideAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
      firstEntered.countDown();
      try {
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new AssertionError("the test never released the rotation");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } finally {
        inside.decrementAndGet();
      }
    }
  }

  /** An external provider whose root is a built-in CA and whose rotations pass the gate. */
  private static final class GatedProvider implements ExternalCaProvider {
    private final BuiltInCaProvider ca;
    private final Gate gate;
    private final int generation;
    private final X509Certificate intermediate;

    private GatedProvider(BuiltInCaProvider ca, Gate gate, int generation,
        X509Certificate intermediate) {
      this.ca = ca;
      this.gate = gate;
      this.generation = generation;
      this.intermediate = intermediate;
    }

    /** A CA certificate the root issued, standing for Vault's intermediate. */
    private static X509Certificate issuedBy(BuiltInCaProvider ca, SigningId trustDomain,
        FakeTime time) {
      return ca.crossSign(BuiltInCaProvider.generate(trustDomain, CaConfiguration.defaults(),
          time).rootCertificate());
    }

    static ExternalCaProvider.Factory factory(Gate gate, FakeTime time) {
      return new ExternalCaProvider.Factory() {
        @Override
        public String name() {
          return "gated";
        }

        @Override
        public ExternalCaProvider open(SigningId trustDomain, CaConfiguration configuration,
            Optional<String> state) {
          if (state.isPresent()) {
            throw new IllegalArgumentException("this test never reopens");
          }
          BuiltInCaProvider ca = BuiltInCaProvider.generate(trustDomain, configuration, time);
          return new GatedProvider(ca, gate, 0, issuedBy(ca, trustDomain, time));
        }
      };
    }

    @Override
    public String name() {
      return "gated";
    }

    @Override
    public X509Certificate rootCertificate() {
      return ca.rootCertificate();
    }

    @Override
    public List<X509Certificate> intermediates() {
      return List.of(intermediate);
    }

    @Override
    public X509Certificate sign(CertificateRequest request) {
      return ca.sign(request);
    }

    @Override
    public boolean supportsCrossSigning() {
      return false;
    }

    @Override
    public X509Certificate crossSign(X509Certificate newRoot) {
      throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public String state() {
      return "{\"generation\":" + generation + "}";
    }

    @Override
    public ExternalCaProvider rotateIntermediate() {
      gate.pass();
      return new GatedProvider(ca, gate, generation + 1, intermediate);
    }

    @Override
    public ExternalCaProvider withConfiguration(CaConfiguration configuration) {
      return new GatedProvider(ca.withConfiguration(configuration), gate, generation,
          intermediate);
    }
  }
}
