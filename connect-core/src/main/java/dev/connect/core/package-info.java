/**
 * Values and rules of Connect for Java, with no I/O: SPIFFE identities, CA roots and issued
 * certificates, and {@link dev.connect.core.ConnectBackend}, the seam between the agent side and
 * the server side.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.core;
