package dev.connect.http.internal;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the client certificate again after every completed handshake, resumed ones included,
 * and lets no request through before: a resumed TLS session never reaches the trust manager, so
 * a client whose certificate has expired, or whose root was removed, would otherwise get in on
 * an old session (STYLE.md, "session resumption must not skip authorization").
 */
final class ClientCertificateRecheck extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientCertificateRecheck.class);

  private final ClientCertificateTrust trust;
  private boolean verified;

  ClientCertificateRecheck(ClientCertificateTrust trust) {
    this.trust = requireNonNull(trust, "trust");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      try {
        Certificate[] peer = tls.engine().getSession().getPeerCertificates();
        X509Certificate[] chain = new X509Certificate[peer.length];
        for (int i = 0; i < peer.length; i++) {
          chain[i] = (X509Certificate) peer[i];
        }
        trust.verify(chain);
        verified = true;
      } catch (SSLPeerUnverifiedException | CertificateException | ClassCastException ex) {
        LOG.info("HTTPS connection from {} closed: {}", ctx.channel().remoteAddress(),
            ex.getMessage());
        ctx.close();
        return;
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!verified) {
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
