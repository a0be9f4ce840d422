package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.core.SpiffeId;
import dev.connect.tls.ConnectTls;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * gRPC over Connect mutual TLS: {@code db} serves a unary {@code example.Db/Hello} method with
 * {@link TlsServerCredentials}, {@code web} calls it with {@link TlsChannelCredentials}, both
 * made from the key and trust managers of the services' Connect TLS builders ({@link
 * ConnectService#serverTls()}, {@link ConnectService#clientTls(String) clientTls("db")}), on
 * grpc-netty-shaded.
 *
 * <pre>{@code
 * Server db = GrpcExample.serve(agent.service("db"));
 * ManagedChannel toDb = GrpcExample.channel(agent.service("web"), "127.0.0.1", db.getPort());
 * GrpcExample.hello(toDb, "web");
 * // "hello web, you are spiffe://<trust domain>/ns/default/dc/dc1/svc/web"
 * }</pre>
 *
 * <p>What to notice:
 *
 * <ul>
 *   <li>The credentials take our managers, not an {@code SSLContext}: gRPC builds its own
 *       (Netty) context around them. The key manager still presents the current leaf on every
 *       handshake, and the trust manager still verifies against the current roots and
 *       intentions, so rotation and intention changes apply as with the JSSE contexts.
 *   <li>{@link TlsServerCredentials.ClientAuth#REQUIRE} is not optional: without it a client
 *       that sends no certificate is never checked by the trust manager at all.
 *   <li>Our server context's other settings (TLS 1.3 only, its cipher suites) do not travel
 *       with the managers; gRPC negotiates its own defaults, TLS 1.3 between these peers.
 *   <li>No hostname check gets in the way: gRPC asks for HTTPS endpoint identification, and the
 *       Connect trust manager replaces it with the check that the server is {@code db}. The
 *       target may be {@code 127.0.0.1}; no {@code overrideAuthority} is needed.
 *   <li>A caller the intentions deny fails its first call with {@link Status.Code#UNAVAILABLE}:
 *       its handshake is refused and the server application never sees it.
 *   <li><b>Authorize every call as well.</b> gRPC's Netty uses BoringSSL here, which resumes
 *       TLS 1.3 sessions from tickets without calling the trust manager, so a channel that
 *       reconnects after a deny would get in again (Connect's own Netty contexts turn tickets
 *       off, but {@code TlsServerCredentials} carries only the managers, and grpc-netty-shaded
 *       cannot take an unshaded Netty context); and a channel keeps its connection open, so
 *       a deny would never reach a caller that stays connected. An interceptor therefore reads
 *       the caller's SPIFFE ID from {@link Grpc#TRANSPORT_ATTR_SSL_SESSION}, asks {@link
 *       ConnectService#authorize(SpiffeId)} (the cached intentions, no network call) and refuses
 *       with {@link Status.Code#PERMISSION_DENIED}; then it puts the caller in the gRPC {@link
 *       Context} for the method to read.
 *   <li>No code generation: the method is described by hand, with a UTF-8 string marshaller.
 *       With protobuf, the generated stubs take the same channel and server.
 * </ul>
 */
public final class GrpcExample {
  /** The service and method {@code db} serves: {@code example.Db/Hello}, a string in and out. */
  public static final MethodDescriptor<String, String> HELLO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("example.Db", "Hello"))
          .setRequestMarshaller(Utf8.INSTANCE)
          .setResponseMarshaller(Utf8.INSTANCE)
          .build();

  /** How long a call may take: 10 seconds. */
  public static final long TIMEOUT_SECONDS = 10;

  private static final Context.Key<SpiffeId> CALLER = Context.key("connect-caller");

  private GrpcExample() {}

  /**
   * Runs the example: {@code web} says hello to {@code db} and prints the answer.
   *
   * @param args the data directory of the agent's embedded server, such as {@code connect-data}
   * @throws Exception if the call fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GrpcExample <data directory>");
    }
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(Path.of(args[0])).build()) {
      Server db = serve(agent.service("db"));
      ManagedChannel toDb = channel(agent.service("web"), "127.0.0.1", db.getPort());
      try {
        System.out.println("db says: " + hello(toDb, "web"));
      } finally {
        toDb.shutdownNow().awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        db.shutdownNow().awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Starts {@code service}'s gRPC server on 127.0.0.1 and an ephemeral port. It requires a client
   * certificate, refuses a handshake its intentions deny, and authorizes every call again.
   *
   * @param service the serving service, such as {@code db}
   * @return the started server; {@link Server#getPort()} is its port
   * @throws IOException if the port cannot be bound
   */
  public static Server serve(ConnectService service) throws IOException {
    ConnectTls.ServerBuilder tls = service.serverTls();
    ServerCredentials credentials = TlsServerCredentials.newBuilder()
        .keyManager(tls.keyManager())
        .trustManager(tls.trustManager())
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
    ServerServiceDefinition db = ServerServiceDefinition.builder("example.Db")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((name, response) -> {
          response.onNext("hello " + name + ", you are " + CALLER.get());
          response.onCompleted();
        }))
        .build();
    return NettyServerBuilder
        .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), credentials)
        .addService(ServerInterceptors.intercept(db, new Authorizer(service)))
        .build()
        .start();
  }

  /**
   * Opens a channel from {@code service} to {@code db}. Build it once and share it; shut it down
   * when done.
   *
   * @param service the calling service, such as {@code web}
   * @param host db's host, such as {@code 127.0.0.1}
   * @param port db's port
   * @return the channel; it connects on the first call
   */
  public static ManagedChannel channel(ConnectService service, String host, int port) {
    ConnectTls.ClientBuilder tls = service.clientTls("db");
    ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
        .keyManager(tls.keyManager())
        .trustManager(tls.trustManager())
        .build();
    return Grpc.newChannelBuilderForAddress(host, port, credentials).build();
  }

  /**
   * Calls {@code example.Db/Hello}.
   *
   * @param channel a channel from {@link #channel}
   * @param name the name to greet
   * @return db's greeting, which names the caller's SPIFFE ID
   * @throws io.grpc.StatusRuntimeException if the call fails: {@link Status.Code#UNAVAILABLE}
   *     when db refuses the connection in its handshake, {@link Status.Code#PERMISSION_DENIED}
   *     when db refuses the call on a connection it accepted before a deny
   */
  public static String hello(Channel channel, String name) {
    return ClientCalls.blockingUnaryCall(channel, HELLO,
        CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS), name);
  }

  /**
   * Authorizes every call with the service's current intentions, then puts the caller's SPIFFE
   * ID in the call's {@link Context}.
   */
  private static final class Authorizer implements ServerInterceptor {
    private final ConnectService service;

    Authorizer(ConnectService service) {
      this.service = service;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      SpiffeId caller;
      try {
        caller = SpiffeId.fromCertificate((X509Certificate) session.getPeerCertificates()[0]);
      } catch (SSLPeerUnverifiedException e) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("no client certificate"));
      }
      // Not a repeat of the handshake's check: a resumed session or a connection opened before
      // a deny never meets the trust manager again.
      if (!service.authorize(caller).allowed()) {
        return refuse(call, Status.PERMISSION_DENIED.withDescription("connect: authz denied"));
      }
      return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers,
          next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
      call.close(status, new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }

  /** Strings as UTF-8 bytes: a marshaller for a hand-written {@link MethodDescriptor}. */
  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), UTF_8);
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("unreadable message").withCause(e)
            .asRuntimeException();
      }
    }
  }
}
