/**
 * The embedded Connect server: CA roots and keys, leaf signing, intentions, ACL tokens and
 * policies, and blocking queries in-process, durable in a data directory.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.server;
