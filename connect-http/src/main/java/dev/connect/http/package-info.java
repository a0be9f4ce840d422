/**
 * The HTTP API of {@code connect agent}: Consul's agent HTTP API served from a {@link
 * dev.connect.agent.ConnectAgent}, so that other processes, the CLI and Consul's own tools share
 * one trust domain. Start it with {@link dev.connect.http.ConnectHttpServer#builder}.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package dev.connect.http;
