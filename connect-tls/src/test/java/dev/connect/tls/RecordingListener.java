package dev.connect.tls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every handshake event. */
final class RecordingListener implements HandshakeListener {
  final List<HandshakeEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void onHandshake(HandshakeEvent event) {
    events.add(event);
  }

  HandshakeEvent last() {
    return events.get(events.size() - 1);
  }
}
