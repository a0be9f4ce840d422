package dev.connect.peers;

import java.util.List;

/** The five ports a Consul agent binds on 127.0.0.1; DNS is off. */
record ConsulPorts(int http, int grpc, int serfLan, int serfWan, int server) {
  static ConsulPorts pick() {
    int[] p = FreePorts.pick(5);
    return new ConsulPorts(p[0], p[1], p[2], p[3], p[4]);
  }

  List<String> arguments() {
    return List.of("-http-port", String.valueOf(http), "-grpc-port", String.valueOf(grpc),
        "-dns-port", "-1", "-serf-lan-port", String.valueOf(serfLan),
        "-serf-wan-port", String.valueOf(serfWan), "-server-port", String.valueOf(server));
  }
}
