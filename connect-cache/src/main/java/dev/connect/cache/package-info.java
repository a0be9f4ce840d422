/**
 * The agent cache: CA roots, leaf certificates and intention matches, fetched on demand through
 * a {@link dev.connect.core.ConnectBackend}, kept fresh by background blocking queries, and
 * evicted after a time of disuse.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.cache;
