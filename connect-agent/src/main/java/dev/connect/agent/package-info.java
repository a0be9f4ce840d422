/**
 * The Connect agent facade: {@link dev.connect.agent.ConnectAgent}, which runs the embedded
 * server (or another backend) and the agent cache, and its per-service handle {@link
 * dev.connect.agent.ConnectService}, which makes live mutual-TLS contexts and authorization
 * decisions; plus admin views of intentions, the CA and ACLs.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.agent;
