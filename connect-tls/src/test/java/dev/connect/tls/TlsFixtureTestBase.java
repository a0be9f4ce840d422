package dev.connect.tls;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up most connect-tls tests share: a fresh {@link TlsFixture} per test in its own
 * temporary directory, closed after the test (after the subclass's own {@code @AfterEach}).
 */
abstract class TlsFixtureTestBase {
  @TempDir
  Path dir;
  TlsFixture f;

  @BeforeEach
  void openFixture() throws IOException {
    f = new TlsFixture(dir);
  }

  @AfterEach
  void closeFixture() {
    f.close();
  }
}
