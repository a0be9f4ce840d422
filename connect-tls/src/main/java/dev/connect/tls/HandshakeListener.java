package dev.connect.tls;

/**
 * Receives one {@link HandshakeEvent} for every peer a Connect trust manager checks: allowed or
 * denied, with the peer's identity and the reason.
 *
 * <p>Called on the thread running the handshake, before the handshake continues: keep it short
 * and never block. An exception it throws is logged and ignored; it never changes a decision.
 * A resumed handshake is never reported, because it never reaches the trust manager (server
 * contexts do not allow resumption; see {@link ConnectTls}).
 */
@FunctionalInterface
public interface HandshakeListener {

  /**
   * Reports one checked peer.
   *
   * @param event the decision and what it was made on
   */
  void onHandshake(HandshakeEvent event);

  /** Returns a listener that does nothing, the default of every builder. */
  static HandshakeListener none() {
    return event -> { };
  }
}
