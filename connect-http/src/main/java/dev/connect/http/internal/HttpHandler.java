package dev.connect.http.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One connection's requests, answered in order: a request that arrives while another is being
 * answered (HTTP/1.1 pipelining) waits in a short queue, so a waiting query holds a place but
 * no thread. Replies are written from whatever thread completes them; Netty moves the write to
 * the connection's event loop.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** Pipelined requests kept per connection before it is closed. */
  static final int MAX_PIPELINED = 16;
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private final Api api;
  private final Clock clock;
  private final BooleanSupplier draining;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean busy;

  private record Pending(ApiRequest request, boolean keepAlive, boolean head) {}

  HttpHandler(Api api, Clock clock, BooleanSupplier draining) {
    super(true);
    this.api = api;
    this.clock = clock;
    this.draining = draining;
  }

  /** Tells whether a request is being answered on this connection now. */
  boolean busy() {
    return busy;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    if (msg.decoderResult().isFailure()) {
      Throwable cause = msg.decoderResult().cause();
      ApiReply reply = cause instanceof TooLongFrameException
          ? ApiReply.text(431, "Request Header Fields Too Large")
          : ApiReply.text(400, "Bad Request: " + cause.getMessage());
      write(ctx, reply, false, false);
      return;
    }
    ApiRequest request;
    try {
      request = request(ctx, msg);
    } catch (IllegalArgumentException e) {
      // A malformed percent-encoding: Go's url.ParseQuery names it; the path is refused whole.
      write(ctx, ApiReply.text(400, "Bad request: " + e.getMessage()), false,
          msg.method().name().equals("HEAD"));
      return;
    }
    if (queue.size() >= MAX_PIPELINED) {
      write(ctx, ApiReply.text(429, "Too many pipelined requests on one connection: at most "
          + MAX_PIPELINED), false, false);
      return;
    }
    queue.add(new Pending(request, HttpUtil.isKeepAlive(msg),
        msg.method().name().equals("HEAD")));
    next(ctx);
  }

  private void next(ChannelHandlerContext ctx) {
    if (busy || queue.isEmpty()) {
      return;
    }
    busy = true;
    Pending p = queue.poll();
    api.dispatch(p.request()).whenComplete((reply, e) -> {
      ApiReply r = e == null ? reply : Api.error(p.request(), e);
      if (ctx.executor().inEventLoop()) {
        finish(ctx, r, p);
      } else {
        ctx.executor().execute(() -> finish(ctx, r, p));
      }
    });
  }

  private void finish(ChannelHandlerContext ctx, ApiReply reply, Pending p) {
    boolean keepAlive = p.keepAlive() && !draining.getAsBoolean();
    write(ctx, reply, keepAlive, p.head());
    busy = false;
    if (keepAlive) {
      next(ctx);
    } else {
      queue.clear();
    }
  }

  private void write(ChannelHandlerContext ctx, ApiReply reply, boolean keepAlive, boolean head) {
    if (!ctx.channel().isActive()) {
      return;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(reply.status()),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
    // Go writes header names sorted, then Date and Content-Length.
    List<Map.Entry<String, String>> headers = new ArrayList<>(reply.headers());
    headers.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
    for (Map.Entry<String, String> h : headers) {
      response.headers().add(h.getKey(), h.getValue());
    }
    response.headers().set("Date", DATE.format(clock.instant()));
    response.headers().set("Content-Length", reply.body().length);
    if (!keepAlive) {
      response.headers().set("Connection", "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }

  private static ApiRequest request(ChannelHandlerContext ctx, FullHttpRequest msg) {
    QueryStringDecoder uri = new QueryStringDecoder(msg.uri(), StandardCharsets.UTF_8, true,
        1024, true);
    String path = uri.path();
    Map<String, List<String>> query = uri.parameters();
    byte[] body = ByteBufUtil.getBytes(msg.content());
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    String client = remote == null ? "unknown" : remote.getAddress().getHostAddress();
    io.netty.handler.codec.http.HttpHeaders h = msg.headers().copy();
    return new ApiRequest(msg.method().name(), path, query, h::get, body, client);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
