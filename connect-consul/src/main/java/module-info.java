/**
 * Consul's HTTP API on the wire: Consul 1.10's JSON shapes as records, Go's encoding rules and
 * the generic HTTP rules (headers, blocking queries, tokens), behind {@code ConsulJson}.
 */
module dev.connect.consul {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires com.fasterxml.jackson.databind;

  exports dev.connect.consul;
}
