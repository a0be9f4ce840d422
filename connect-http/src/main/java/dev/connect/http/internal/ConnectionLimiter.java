package dev.connect.http.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections, in all and per client address. A connection over either limit is
 * answered as Consul's {@code http_max_conns_per_client} answers it, {@code 429 Too Many
 * Requests}, and closed before any request is read. Shared by every connection.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  /** Consul's text for a client over its limit (agent/agent.go, connlimit). */
  static final String MESSAGE =
      "Your IP is issuing too many concurrent connections, please rate limit your calls\n";

  private final int maxConnections;
  private final int maxPerClient;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

  ConnectionLimiter(int maxConnections, int maxPerClient) {
    this.maxConnections = maxConnections;
    this.maxPerClient = maxPerClient;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    String client = client(ctx);
    boolean[] admitted = new boolean[1];
    if (total.incrementAndGet() <= maxConnections) {
      perClient.compute(client, (c, n) -> {
        int now = n == null ? 0 : n;
        admitted[0] = now < maxPerClient;
        return admitted[0] ? now + 1 : n;
      });
    }
    if (!admitted[0]) {
      total.decrementAndGet();
      ctx.channel().attr(Attributes.REFUSED).set(Boolean.TRUE);
      byte[] body = MESSAGE.getBytes(StandardCharsets.UTF_8);
      String head = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8"
          + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
      ctx.channel().config().setAutoRead(false);
      ctx.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(
          head.getBytes(StandardCharsets.US_ASCII), body))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().attr(Attributes.REFUSED).get() == null) {
      total.decrementAndGet();
      perClient.computeIfPresent(client(ctx), (c, n) -> n <= 1 ? null : n - 1);
    }
    super.channelInactive(ctx);
  }

  /** The open connections now. */
  int open() {
    return total.get();
  }

  private static String client(ChannelHandlerContext ctx) {
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    return remote == null ? "unknown" : remote.getAddress().getHostAddress();
  }

  /** Channel attributes. */
  static final class Attributes {
    static final io.netty.util.AttributeKey<Boolean> REFUSED =
        io.netty.util.AttributeKey.valueOf("connect-http-refused");

    private Attributes() {}
  }
}
