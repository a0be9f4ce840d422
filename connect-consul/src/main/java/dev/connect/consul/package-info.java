/**
 * Consul's HTTP API on the wire, shared by a server speaking it ({@code connect agent}) and a
 * client of it (the remote backend): Consul 1.10's JSON shapes as records ({@link
 * dev.connect.consul.CaRootsWire}, {@link dev.connect.consul.LeafCertWire}, {@link
 * dev.connect.consul.IntentionWire}, ...), the codec with Go's encoding rules ({@link
 * dev.connect.consul.ConsulJson}), and the generic HTTP rules: header names ({@link
 * dev.connect.consul.ConsulHeaders}), blocking queries ({@link
 * dev.connect.consul.BlockingQuery}), tokens ({@link dev.connect.consul.ConsulTokens}), error
 * texts ({@link dev.connect.consul.GoMultiError}) and Go's durations and times.
 *
 * <p>Methods accept and return no {@code null}, with one stated exception: a component of a wire
 * record ({@code *Wire}) is {@code null} when its field is absent from the JSON, because Consul
 * distinguishes an absent field from an empty one.
 */
package dev.connect.consul;
