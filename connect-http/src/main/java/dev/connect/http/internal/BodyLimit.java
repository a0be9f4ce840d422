package dev.connect.http.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Aggregates a request's body up to a limit; a larger body is answered with {@code 413} naming
 * the limit (and the length when the client declared one), and the connection is closed, since
 * the rest of the body would be read as the next request.
 */
final class BodyLimit extends HttpObjectAggregator {
  private final int maxBody;
  private final String defaultAclPolicy;

  BodyLimit(int maxBody, String defaultAclPolicy) {
    super(maxBody);
    this.maxBody = maxBody;
    this.defaultAclPolicy = defaultAclPolicy;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    String declared = oversized.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    String text = "Request body too large: " + (declared == null ? "more than " + maxBody
        : declared) + " bytes, the limit is " + maxBody + " bytes";
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
    r.headers().set("Content-Type", ApiReply.TEXT);
    r.headers().set("Vary", "Accept-Encoding");
    r.headers().set("X-Consul-Default-Acl-Policy", defaultAclPolicy);
    r.headers().set("Content-Length", body.length);
    r.headers().set("Connection", "close");
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
