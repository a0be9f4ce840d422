/**
 * The wire layer of Consul's HTTP API: its JSON shapes, Go's encoding, headers, blocking-query
 * parameters and tokens.
 */
module dev.connect.consul {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires com.fasterxml.jackson.annotation;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;

  exports dev.connect.consul;
  // The wire records are read and written by Jackson through reflection.
  opens dev.connect.consul to com.fasterxml.jackson.databind;
  opens dev.connect.consul.internal to com.fasterxml.jackson.databind;
}
