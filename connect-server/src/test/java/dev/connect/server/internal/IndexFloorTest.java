package dev.connect.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.core.ConnectException;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFloorTest {
  @TempDir Path dir;

  private IndexFloor open() throws IOException {
    IndexFloor floor = IndexFloor.load(dir);
    floor.resume();
    floor.attach(new IndexedState(floor.restoredIndex(), List.of("t"), FakeScheduler.on(FakeTime.create())));
    return floor;
  }

  @Test
  void indexesIncreaseAndAReopenResumesAboveEveryOneHandedOut() throws IOException {
    long last = 0;
    IndexFloor floor = open();
    for (int i = 0; i < 3 * IndexFloor.RESERVATION; i++) {
      long index = floor.write(w -> w.commit("t"));
      assertThat(index).isGreaterThan(last);
      last = index;
    }
    assertThat(floor.current()).isGreaterThan(last);
    // No close: as after a crash.
    IndexFloor reopened = open();
    assertThat(reopened.restoredIndex()).isGreaterThan(last);
  }

  @Test
  void aFailedWriteChangesNothingAndTheNextWriteTakesTheSameIndex() throws IOException {
    IndexFloor floor = open();
    long[] taken = new long[1];
    assertThatThrownBy(() -> floor.write(w -> {
      taken[0] = w.index();
      throw new ConnectException("disk full");
    })).hasMessage("disk full");
    long next = floor.write(w -> w.commit("t"));
    assertThat(next).isEqualTo(taken[0]);
  }

  /**
   * Regression: a write whose file was renamed into place but whose directory could not be
   * synced reported "nothing changed", and the next write took the same index for another
   * change. The server now stops taking writes.
   */
  @Test
  void aChangeOnDiskButNotSyncedStopsFurtherWritesSoNoIndexRepeats() throws IOException {
    IndexFloor floor = open();
    assertThatThrownBy(() -> floor.write(w -> {
      w.index();
      throw new ConnectException("cannot write", new DirectorySyncException(dir.resolve("x"),
          new IOException("EIO")));
    })).isInstanceOf(ConnectException.class).hasMessageContaining("takes no more writes")
        .hasMessageContaining(dir.toString());
    assertThat(floor.isClosed()).isTrue();
    assertThatThrownBy(() -> floor.write(w -> w.commit("t")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
