/**
 * The Connect sidecar proxy: {@link dev.connect.proxy.ConnectProxy} terminates Connect mutual
 * TLS for a local TCP application as one service, authorizing every client against the
 * service's intentions in the handshake, and opens plain-TCP upstream listeners that dial their
 * destination with mutual TLS, accepting only a peer that proves to be that destination.
 * Instances of an upstream come from a fixed address or an {@link
 * dev.connect.proxy.UpstreamDiscovery}, such as {@link dev.connect.proxy.ConsulDiscovery}.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.proxy;
