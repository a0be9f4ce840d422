/**
 * The HTTP API of {@code connect agent}: Consul's agent HTTP API served from a Connect agent.
 */
module dev.connect.http {
  requires transitive dev.connect.agent;
  requires dev.connect.consul;
  requires com.github.benmanes.caffeine;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires org.slf4j;

  exports dev.connect.http;
}
