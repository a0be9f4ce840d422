package dev.connect.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks ports on 127.0.0.1 that are free now, for a process a test is about to start.
 *
 * <p>Each port is found by binding port 0 on 127.0.0.1 (TCP, and UDP on the same number, since
 * Consul's Serf listens on both), keeping every socket open until the whole set is picked (so a
 * set never repeats a port), then releasing them for the process to bind. A port handed out
 * recently by this JVM is not handed out again, so two peers started one after the other do not
 * race for the same port before either has bound it. Another process may still take a port
 * between the release and the peer's bind: the peers here retry their start on fresh ports when
 * they fail to bind.
 *
 * <p>Thread-safe.
 */
public final class FreePorts {
  /** Ports remembered as handed out; the oldest are forgotten past this many. */
  static final int REMEMBERED = 4096;

  /** How many candidates one pick may try before giving up. */
  static final int MAX_CANDIDATES = 1000;

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Set<Integer> HANDED_OUT = new LinkedHashSet<>();

  private FreePorts() {}

  /**
   * Returns {@code count} distinct ports, each free on 127.0.0.1 for TCP and UDP when picked.
   *
   * @throws IllegalArgumentException if {@code count} is not between 1 and 100
   * @throws IllegalStateException if no such ports are found within a bounded number of tries
   */
  public static int[] pick(int count) {
    if (count < 1 || count > 100) {
      throw new IllegalArgumentException("count must be between 1 and 100: " + count);
    }
    return pick(count, false);
  }

  /**
   * Returns a port {@code p} such that {@code p} and {@code p + 1} are both free on 127.0.0.1 for
   * TCP when picked: Vault's dev server listens on its port and its cluster port one above.
   *
   * @throws IllegalStateException if no such pair is found within a bounded number of tries
   */
  public static int pickPair() {
    return pick(1, true)[0];
  }

  private static int[] pick(int count, boolean withNext) {
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[count];
    int picked = 0;
    try {
      for (int tries = 0; picked < count; tries++) {
        if (tries >= MAX_CANDIDATES) {
          throw new IllegalStateException("no " + count + " free port(s) on 127.0.0.1 after "
              + MAX_CANDIDATES + " candidates");
        }
        ServerSocket tcp = new ServerSocket();
        held.add(tcp);
        tcp.bind(new InetSocketAddress(LOOPBACK, 0));
        int port = tcp.getLocalPort();
        if (recentlyHandedOut(port) || !hold(port, held, true)
            || (withNext && (port == 65535 || recentlyHandedOut(port + 1)
                || !hold(port + 1, held, false)))) {
          continue;
        }
        ports[picked++] = port;
      }
      synchronized (HANDED_OUT) {
        for (int port : ports) {
          remember(port);
          if (withNext) {
            remember(port + 1);
          }
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a port on 127.0.0.1", e);
    } finally {
      for (AutoCloseable socket : held) {
        try {
          socket.close();
        } catch (Exception e) {
          // Closing a bound socket we own cannot fail in a way the caller could act on.
          throw new IllegalStateException("cannot release a picked port", e);
        }
      }
    }
  }

  private static boolean recentlyHandedOut(int port) {
    synchronized (HANDED_OUT) {
      return HANDED_OUT.contains(port);
    }
  }

  private static void remember(int port) {
    HANDED_OUT.remove(port);
    HANDED_OUT.add(port);
    if (HANDED_OUT.size() > REMEMBERED) {
      Iterator<Integer> oldest = HANDED_OUT.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** Binds {@code port} (UDP, or TCP and UDP) and keeps the sockets in {@code held}. */
  private static boolean hold(int port, List<AutoCloseable> held, boolean tcpAlreadyHeld) {
    try {
      if (!tcpAlreadyHeld) {
        ServerSocket tcp = new ServerSocket();
        held.add(tcp);
        tcp.bind(new InetSocketAddress(LOOPBACK, port));
      }
      DatagramSocket udp = new DatagramSocket(null);
      held.add(udp);
      udp.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
