package dev.connect.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.LongAdder;

/**
 * One direction of a relayed connection: what this channel reads is written to its peer.
 *
 * <p>Both channels of a pair run on one event loop, so the pair's state needs no lock.
 * Backpressure: when the peer stops being writable, this channel stops reading until the peer
 * drains. Half close: the end of this channel's input (a TCP FIN, or a TLS close_notify) shuts
 * the peer's output (a TCP FIN, also on a TLS peer) once what was written before is flushed;
 * the pair closes when both inputs have ended, or when either channel closes or fails.
 */
public final class Relay extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final LongAdder bytes;
  private Relay peerRelay;
  private boolean inputDone;

  private Relay(Channel peer, LongAdder bytes) {
    this.peer = peer;
    this.bytes = bytes;
  }

  /**
   * Joins two channels on one event loop, adding a relay at the end of each pipeline and
   * starting to read on both.
   *
   * @param local the channel to the local side
   * @param mesh the channel to the mesh side
   * @param counters where bytes are counted
   */
  public static void join(Channel local, Channel mesh, Counters counters) {
    Relay fromLocal = new Relay(mesh, counters.bytesOut);
    Relay fromMesh = new Relay(local, counters.bytesIn);
    fromLocal.peerRelay = fromMesh;
    fromMesh.peerRelay = fromLocal;
    local.pipeline().addLast("relay", fromLocal);
    mesh.pipeline().addLast("relay", fromMesh);
    local.config().setAutoRead(true);
    mesh.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf) || !peer.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    bytes.add(buf.readableBytes());
    peer.write(buf).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // This channel drained: the peer, which writes here, may read again.
    if (ctx.channel().isWritable() && !peerRelay.inputDone) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
      inputEnded(ctx.channel());
    } else if (evt instanceof IdleStateEvent) {
      closeBoth(ctx.channel());
    }
    ReferenceCountUtil.release(evt);
  }

  private void inputEnded(Channel self) {
    if (inputDone) {
      return;
    }
    inputDone = true;
    Channel p = peer;
    if (peerRelay.inputDone) {
      // Both directions ended: what is still queued for the peer goes out before it closes.
      p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> closeBoth(self));
      return;
    }
    // A TCP FIN only, no close_notify: BoringSSL closes both directions of an engine that
    // receives close_notify, which would cut the answer still to come. close_notify goes out
    // when the connection closes.
    p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
      if (!f.isSuccess()) {
        closeBoth(self);
        return;
      }
      shutdownOutput(p, self);
    });
  }

  private void shutdownOutput(Channel p, Channel self) {
    if (p instanceof DuplexChannel d && p.isActive()) {
      d.shutdownOutput().addListener(f -> {
        if (!f.isSuccess()) {
          closeBoth(self);
        }
      });
    } else {
      closeBoth(self);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Whatever was written to the peer still goes out, then the peer closes.
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeBoth(ctx.channel());
  }

  private void closeBoth(Channel self) {
    self.close();
    peer.close();
  }
}
