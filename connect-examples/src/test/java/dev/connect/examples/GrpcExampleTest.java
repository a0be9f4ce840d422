package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectService;
import dev.connect.tls.HandshakeEvent;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link GrpcExample}: an allowed caller gets db's answer naming it; a denied caller gets
 * {@code UNAVAILABLE} and never reaches the method; after a deny, a caller's open or reconnected
 * channel is refused at its next call with {@code PERMISSION_DENIED}.
 */
class GrpcExampleTest extends ExampleTestBase {
  ConnectService db;
  Server server;
  final List<HandshakeEvent> dbSaw = new CopyOnWriteArrayList<>();
  final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    db = connect.service("db");
    db.onHandshake(dbSaw::add);
    server = GrpcExample.serve(db);
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(GrpcExample.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(GrpcExample.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(String caller) {
    ManagedChannel c = GrpcExample.channel(connect.service(caller), "127.0.0.1", server.getPort());
    channels.add(c);
    return c;
  }

  @Test
  void anAllowedCallerIsAnsweredByNameAndADeniedOneGetsUnavailable() {
    connect.deny("api", "db");

    assertThat(GrpcExample.hello(channel("web"), "web"))
        .isEqualTo("hello web, you are " + connect.service("web").id().spiffeId());
    assertThatThrownBy(() -> GrpcExample.hello(channel("api"), "api"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

    assertThat(dbSaw).extracting(HandshakeEvent::allowed).startsWith(true, false)
        .containsOnlyOnce(true);
    assertThat(dbSaw.get(1).reason())
        .startsWith("connect: authz denied: Matched L4 intention: default/api => default/db");
  }

  @Test
  void aDenyReachesAnOpenChannelAtItsNextCall() {
    ManagedChannel web = channel("web");
    assertThat(GrpcExample.hello(web, "web")).startsWith("hello web");

    connect.deny("web", "db");
    // The connection was authorized before the deny and stays open; the interceptor refuses.
    assertThatThrownBy(() -> GrpcExample.hello(web, "web"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).isEqualTo("connect: authz denied");
        });
  }

  /**
   * The hole the interceptor closes: a channel that reconnects after a deny resumes its TLS 1.3
   * session (BoringSSL, in grpc-netty-shaded) and the trust manager is never asked, as db's
   * handshake listener shows; only the per-call check refuses it.
   */
  @Test
  void aChannelThatReconnectsAfterADenyResumesItsSessionAndIsRefusedPerCall() {
    ManagedChannel web = channel("web");
    assertThat(GrpcExample.hello(web, "web")).startsWith("hello web");

    connect.deny("web", "db");
    web.enterIdle(); // drops the connection; the next call opens a new one
    assertThatThrownBy(() -> GrpcExample.hello(web, "web"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(dbSaw).extracting(HandshakeEvent::allowed).containsExactly(true);
  }

  @Test
  void mainRunsWithARealAgent() throws Exception {
    assertThat(Mains.stdout(GrpcExample::main, dir.resolve("main").toString())).matches(
        "db says: hello web, you are spiffe://[0-9a-f-]+\\.consul/ns/default/dc/dc1/svc/web\n");
  }
}
