package dev.connect.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: when the scheduler rejected an entry's next step (it was shut down), the entry
 * stayed cached, stopped but still reported healthy, and served its value with age zero for ever.
 * It is now dropped, so the next read loads again or fails visibly.
 */
class RejectedScheduleTest {
  @TempDir
  Path dir;

  @Test
  void entryWhoseNextStepIsRejectedIsDropped() throws Exception {
    try (Fixture f = Fixture.open(dir)) {
      CacheRequest req = CacheRequest.anonymous();
      f.cache.intentionMatch("db", req);
      f.scheduler.runDue(); // the blocking query waits
      f.scheduler.shutdownNow();
      f.allow("web", "db"); // the query returns; its next step is rejected
      assertThat(f.cache.intentionMatchStatus("db", req)).isEmpty();
    }
  }
}
