/**
 * The Connect sidecar proxy: mutual TLS for any TCP application, on Netty.
 */
module dev.connect.proxy {
  requires transitive dev.connect.agent;
  requires transitive io.netty.handler;
  requires transitive dev.connect.consul;
  requires com.fasterxml.jackson.databind;
  requires dev.connect.tls;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.transport;
  requires java.net.http;
  requires org.slf4j;

  exports dev.connect.proxy;
}
