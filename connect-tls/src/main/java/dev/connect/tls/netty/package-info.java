/**
 * Netty {@link io.netty.handler.ssl.SslContext}s for Connect identities, with the JDK's or
 * BoringSSL's TLS stack, built from the same live key and trust managers as {@link
 * dev.connect.tls.ConnectTls}'s JSSE contexts.
 *
 * <p>Netty is an optional dependency of {@code connect-tls}: only this package uses it, so an
 * application without Netty on its class path uses the rest of the module and never loads it.
 * Add {@code io.netty:netty-handler}, and for {@link io.netty.handler.ssl.SslProvider#OPENSSL}
 * also {@code io.netty:netty-tcnative-boringssl-static}, to use it.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package dev.connect.tls.netty;
