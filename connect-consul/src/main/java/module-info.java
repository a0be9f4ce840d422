/**
 * Consul's HTTP API on the wire: Consul 1.10's JSON shapes as records, Go's encoding rules and
 * the generic HTTP rules (headers, blocking queries, tokens), behind {@code ConsulJson}; and
 * {@code ConsulBackend}, the agent's backend over a Consul agent's HTTP API.
 */
module dev.connect.consul {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;

  // Jackson reads and writes the wire records through their public constructors and accessors
  // in this exported package, so nothing is opened (ModulePathConsumerTest runs it).
  exports dev.connect.consul;
}
