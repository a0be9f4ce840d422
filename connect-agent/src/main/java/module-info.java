/**
 * The Connect agent: one object that stands up or reaches a server, keeps roots and leaves
 * cached, and hands out live TLS identities per service.
 */
module dev.connect.agent {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires transitive dev.connect.server;
  requires transitive dev.connect.cache;
  requires transitive dev.connect.tls;
  requires transitive dev.connect.consul;
  requires transitive com.github.benmanes.caffeine;
  requires org.slf4j;
  requires static io.netty.handler;

  exports dev.connect.agent;
}
