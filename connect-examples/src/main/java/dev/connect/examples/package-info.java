/**
 * Compiled and tested examples of Connect for Java: each class shows one TLS stack speaking
 * mutual TLS between two services of one {@link dev.connect.agent.ConnectAgent}, and each has a
 * test that runs it. Copy from here; nothing in this package is a published API. Nothing is
 * null unless annotated.
 */
package dev.connect.examples;
