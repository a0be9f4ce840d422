/**
 * Values and rules of Connect for Java, with no I/O: SPIFFE identities ({@link
 * dev.connect.core.SpiffeId}, {@link dev.connect.core.ServiceId}), intentions and the decision
 * they make ({@link dev.connect.core.Intentions}, {@link dev.connect.core.Decision}), ACL rules,
 * policies and tokens ({@link dev.connect.core.AclAuthorizer}, {@link
 * dev.connect.core.AclToken}), CA roots and issued certificates, and {@link
 * dev.connect.core.ConnectBackend}, the seam between the agent side and the server side.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.core;
