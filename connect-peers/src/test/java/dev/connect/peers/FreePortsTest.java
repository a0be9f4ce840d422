package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ports picked free on 127.0.0.1, distinct within a pick and across picks. */
class FreePortsTest {
  @Test
  void pickedPortsAreDistinctAndBindableForTcpAndUdp() throws IOException {
    int[] ports = FreePorts.pick(15);

    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(15);
    for (int port : ports) {
      assertBindable(port);
    }
  }

  @Test
  void consecutivePicksNeverHandOutAPortAgain() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      for (int port : FreePorts.pick(5)) {
        assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      }
    }
  }

  @Test
  void pairLeavesTheNextPortFreeToo() throws IOException {
    int port = FreePorts.pickPair();

    assertBindable(port);
    assertBindable(port + 1);
  }

  @Test
  void countOutsideOneToHundredIsRefusedNamingIt() {
    assertThatThrownBy(() -> FreePorts.pick(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("count must be between 1 and 100: 0");
  }

  static void assertBindable(int port) throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
      tcp.bind(address);
      udp.bind(address);
    }
  }
}
