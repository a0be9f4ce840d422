package dev.connect.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A real Vault dev server: healthy, serves KV secrets to its root token, seals, stops by PID. */
class VaultDevTest {
  @Test
  void devServerKeepsASecretForItsRootTokenSealsAndIsGoneAfterClose() throws Exception {
    long pid;
    int port;
    Path directory;
    try (VaultDev vault = VaultDev.start()) {
      System.out.println("measured: vault server -dev ready in " + vault.startupTime().toMillis()
          + " ms");
      pid = vault.pid();
      port = vault.port();
      directory = vault.directory();
      String[] root = {"X-Vault-Token", vault.rootToken()};

      HttpResponse<String> health = PeerHttpClient.get(vault.address().resolve("/v1/sys/health"));
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(PeerHttp.parse(health.body()).path("initialized").asBoolean()).isTrue();
      assertThat(PeerHttp.parse(health.body()).path("sealed").asBoolean()).isFalse();

      HttpResponse<String> write = PeerHttpClient.put(
          vault.address().resolve("/v1/secret/data/connect-peers"),
          "{\"data\":{\"answer\":\"42\"}}", root);
      HttpResponse<String> read =
          PeerHttpClient.get(vault.address().resolve("/v1/secret/data/connect-peers"), root);
      HttpResponse<String> anonymous =
          PeerHttpClient.get(vault.address().resolve("/v1/secret/data/connect-peers"));
      HttpResponse<String> stranger = PeerHttpClient.get(
          vault.address().resolve("/v1/secret/data/connect-peers"), "X-Vault-Token", "not-root");

      assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(PeerHttp.parse(read.body()).path("data").path("data").path("answer").asText())
          .isEqualTo("42");
      // As recorded in ../shared/vault-samples: no token is 400, an unknown one 403.
      assertThat(anonymous.statusCode()).isEqualTo(400);
      assertThat(anonymous.body()).contains("missing client token");
      assertThat(stranger.statusCode()).isEqualTo(403);
      assertThat(stranger.body()).contains("permission denied");

      vault.seal();

      HttpResponse<String> sealed = PeerHttpClient.get(vault.address().resolve("/v1/sys/health"));
      assertThat(sealed.statusCode()).isEqualTo(503);
      assertThat(PeerHttp.parse(sealed.body()).path("sealed").asBoolean()).isTrue();
      assertThat(PeerHttpClient.get(vault.address().resolve("/v1/secret/data/connect-peers"), root)
          .statusCode()).isEqualTo(503);
      assertThat(vault.toString()).doesNotContain(vault.rootToken());
    }

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    FreePortsTest.assertBindable(port);
    FreePortsTest.assertBindable(port + 1);
    assertThat(directory).doesNotExist();
  }
}
