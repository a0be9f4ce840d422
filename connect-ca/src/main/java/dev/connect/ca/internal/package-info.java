/**
 * The engine behind {@code dev.connect.ca}: the BouncyCastle provider, certificate profiles,
 * common names, serial numbers. Not an API; no compatibility promise.
 */
package dev.connect.ca.internal;
