/**
 * Building blocks of the embedded server that carry no compatibility promise: crash-safe file
 * writes, checksummed state files, the directory lock, the never-repeating index floor that
 * serialises every write, the CA, intention and ACL stores, and the index store behind blocking
 * queries.
 *
 * <p>This package is never exported. Nothing in it accepts or returns {@code null}; an absent value
 * is an {@link java.util.Optional}.
 */
package dev.connect.server.internal;
