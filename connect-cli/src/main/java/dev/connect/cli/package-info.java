/**
 * The {@code connect} command line: {@code demo}, and {@code ca} for the built-in certificate
 * authority of an embedded server's data directory.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package dev.connect.cli;
