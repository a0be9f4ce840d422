package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.peers.PeerBinaries.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** The rules of docs/testing.md for finding Consul and Vault, skipping, and failing in CI. */
class PeerBinariesTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  @TempDir Path temp;

  @Test
  void consulBinIsUsedAsGivenBeforeAnythingElse() throws IOException {
    Path fake = executable(temp.resolve("my-consul"), "#!/bin/sh\nexit 0\n");

    assertThat(PeerBinaries.find(Peer.CONSUL, Map.of("CONSUL_BIN", fake.toString()),
        Optional.empty(), TIMEOUT)).isEqualTo(fake);
  }

  @Test
  void consulBinNamingNoExecutableFailsNamingTheValueEvenOutsideCi() {
    String missing = temp.resolve("no-such-consul").toString();

    assertThatThrownBy(() -> PeerBinaries.find(Peer.CONSUL, Map.of("CONSUL_BIN", missing),
        PeerBinaries.repositoryRoot(), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CONSUL_BIN is set but names no executable file: " + missing);
  }

  @Test
  void missingPeerIsSkippedOutsideCiWithHowToGetOne() {
    assertThatThrownBy(() -> PeerBinaries.find(Peer.VAULT, Map.of("CI", "false"),
        Optional.of(temp.resolve("repo")), TIMEOUT))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("No Vault binary for this test")
        .hasMessageContaining(temp.resolve("shared/peers/peer") + " does not exist")
        .hasMessageContaining("set VAULT_BIN to a Vault binary")
        .hasMessageContaining("apt-get install xz-utils")
        .hasMessageContaining("Skipped because CI is not true");
  }

  @Test
  void missingPeerFailsTheRunUnderCi() {
    assertThatThrownBy(() -> PeerBinaries.find(Peer.CONSUL, Map.of("CI", "true"),
        Optional.of(temp.resolve("repo")), TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No Consul binary for this test")
        .hasMessageContaining("CI=true: a missing peer fails the run");
  }

  @Test
  void peerScriptThatCannotUnpackIsQuotedInTheSkipMessage() throws IOException {
    Path root = Files.createDirectories(temp.resolve("repo"));
    executable(Files.createDirectories(temp.resolve("shared/peers")).resolve("peer"),
        "#!/bin/sh\necho 'peer: needs xz (Debian package xz-utils)' >&2\nexit 2\n");

    assertThatThrownBy(() -> PeerBinaries.find(Peer.CONSUL, Map.of(), Optional.of(root),
        TIMEOUT))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("--path consul exited with 2: peer: needs xz (Debian package xz-utils)");
    assertThatThrownBy(() -> PeerBinaries.find(Peer.CONSUL, Map.of("CI", "TRUE"),
        Optional.of(root), TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs xz");
  }

  @Test
  void repositoryRootIsTheConnectParentCheckoutNotAModule() throws IOException {
    Path root = PeerBinaries.repositoryRoot().orElseThrow();

    assertThat(root.resolve("connect-peers/pom.xml")).isRegularFile();
    assertThat(Files.readString(root.resolve("pom.xml"))).contains("<module>connect-peers</module>");
  }

  @Test
  void sharedPeersOfTheCheckoutGiveARunnableConsulAndVault() {
    // Skipped (or failed under CI=true) by the rules themselves when ../shared/peers/ is absent.
    assertThat(PeerBinaries.consul()).isExecutable().hasFileName("consul-1.10.4-linux-amd64");
    assertThat(PeerBinaries.vault()).isExecutable().hasFileName("vault-1.7.10-linux-amd64");
  }

  private static Path executable(Path path, String script) throws IOException {
    Files.writeString(path, script);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
    return path;
  }
}
