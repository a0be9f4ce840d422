package dev.connect.examples;

import dev.connect.agent.ConnectService;
import dev.connect.test.ConnectExtension;
import dev.connect.tls.HandshakeEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up the example tests share: an in-process Connect agent per test, and a temporary
 * directory for the agent an example's {@code main} starts itself.
 */
abstract class ExampleTestBase {
  /** The start of the reason db's handshake listener hears when an intention denies web. */
  static final String WEB_TO_DB_DENIED =
      "connect: authz denied: Matched L4 intention: default/web => default/db";

  @RegisterExtension
  final ConnectExtension connect = ConnectExtension.builder().build();

  @TempDir
  Path dir;

  /** Returns a list to which every handshake {@code service} sees from now on is added. */
  static List<HandshakeEvent> handshakesOf(ConnectService service) {
    List<HandshakeEvent> seen = new CopyOnWriteArrayList<>();
    service.onHandshake(seen::add);
    return seen;
  }
}
