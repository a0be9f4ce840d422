/**
 * The engine behind {@code dev.connect.tls}: live key and trust managers, the chain verifier and
 * the context wrapper. Not exported; no compatibility promise.
 */
package dev.connect.tls.internal;
