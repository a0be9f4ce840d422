package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test JVM that exits without closing its Consul agent (a crashed test, a System.exit) leaves
 * no Consul running and no directory behind: the shutdown hook kills it by PID and deletes its
 * directory.
 */
class ForgottenPeerKilledAtJvmExitTest {
  @TempDir Path temp;

  /** The forked JVM: starts an agent, prints its PID, exits without closing it. */
  public static final class ForgetfulMain {
    private ForgetfulMain() {}

    /** Starts a dev agent with the given binary and exits without closing it. */
    public static void main(String[] args) {
      ConsulAgent consul = ConsulAgent.builder().binary(Path.of(args[0])).start();
      System.out.println("pid=" + consul.pid());
      System.out.println("dir=" + consul.directory());
      System.out.flush();
      System.exit(0);
    }
  }

  @Test
  void anAgentLeftOpenIsKilledWhenTheJvmExits() throws Exception {
    Path consul = PeerBinaries.consul();
    Path out = temp.resolve("child.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), ForgetfulMain.class.getName(), consul.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child JVM exits").isTrue();
      String output = Files.readString(out);
      assertThat(child.exitValue()).as(output).isZero();
      long pid = Long.parseLong(output.lines().filter(l -> l.startsWith("pid="))
          .findFirst().orElseThrow(() -> new AssertionError("no pid in: " + output))
          .substring("pid=".length()));

      Path directory = Path.of(output.lines().filter(l -> l.startsWith("dir=")).findFirst()
          .orElseThrow(() -> new AssertionError("no dir in: " + output)).substring("dir=".length()));

      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
          .as("Consul pid %d after its JVM exited", pid).isEmpty();
      assertThat(directory).doesNotExist();
    } finally {
      child.destroyForcibly();
    }
  }
}
