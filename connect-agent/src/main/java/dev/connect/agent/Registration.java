package dev.connect.agent;

/**
 * A listener's registration: closing it removes the listener. Idempotent; never throws.
 */
public interface Registration extends AutoCloseable {

  /** Removes the listener; later events no longer reach it. Idempotent. */
  @Override
  void close();
}
