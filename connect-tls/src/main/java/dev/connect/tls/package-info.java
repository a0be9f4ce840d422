/**
 * Live mutual-TLS contexts for Connect identities: key and trust managers that read a {@link
 * dev.connect.tls.ConnectIdentity}'s current leaf and roots (usually the agent cache's) on every
 * handshake, check the peer's SPIFFE ID, and authorize
 * inbound connections against intentions inside the handshake.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.tls;
