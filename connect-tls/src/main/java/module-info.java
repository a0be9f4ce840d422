/**
 * Live mutual TLS for Connect identities: JSSE and Netty contexts whose key and trust managers
 * follow leaf and root rotation and authorize peers by intention.
 *
 * <p>Netty ({@code dev.connect.tls.netty}), netty-tcnative and BouncyCastle's JSSE
 * ({@code TlsStack.BOUNCY_CASTLE}) are optional: on the module path, an application that uses
 * them requires or adds those modules itself.
 */
module dev.connect.tls {
  requires transitive dev.connect.core;
  requires transitive dev.connect.cache;
  requires com.github.benmanes.caffeine;
  requires org.bouncycastle.provider;
  requires org.slf4j;
  requires static org.bouncycastle.tls;
  requires static io.netty.handler;
  requires static io.netty.tcnative.classes.openssl;

  exports dev.connect.tls;
  exports dev.connect.tls.netty;
}
