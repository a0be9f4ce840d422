package dev.connect.ca.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.QueryOptions;
import dev.connect.peers.VaultDev;
import dev.connect.server.EmbeddedServer;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewable Vault token with a TTL expires unless renewed: the server renews it through the
 * provider ({@code auth/token/lookup-self}, {@code auth/token/renew-self}) when it opens and
 * again after half of the TTL Vault grants, on its scheduler (driven here by {@link FakeTime});
 * a token that never expires (the root token) is never renewed. Against a real Vault dev server.
 */
class VaultTokenRenewalAgainstVaultDevTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;
  private VaultDev vault;
  private FakeTime time;
  private FakeScheduler scheduler;
  private EmbeddedServer server;

  @BeforeEach
  void start() {
    vault = VaultDev.start();
    time = FakeTime.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    scheduler = FakeScheduler.on(time);
  }

  @AfterEach
  void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      scheduler.shutdownNow();
      vault.close();
    }
  }

  private EmbeddedServer openServer(String token) throws Exception {
    VaultConfiguration c = VaultConfiguration.builder().address(vault.address().toString())
        .token(token).rootPkiPath("connect-root").intermediatePkiPath("connect-intermediate")
        .build();
    return EmbeddedServer.builder().dataDirectory(dir.resolve("data")).clock(time)
        .scheduler(scheduler).caProvider(VaultCaProvider.factory(c)).open();
  }

  @Test
  void aRenewableTokenIsRenewedAtOpenAndAgainAfterHalfItsTtl() throws Exception {
    // A periodic token: each renewal grants the period again; unrenewed, it dies after 120 s.
    JsonNode created = vaultCall("POST", "auth/token/create", vault.rootToken(),
        "{\"policies\":[\"root\"],\"ttl\":\"120s\",\"period\":\"120s\",\"renewable\":true}");
    String token = created.path("auth").path("client_token").asText();
    assertThat(lookup(token).path("last_renewal_time").isMissingNode()
        || lookup(token).path("last_renewal_time").isNull()).as("never renewed yet").isTrue();

    server = openServer(token);
    assertThat(server.caProviderCredentialsRenewedAt()).isEmpty();
    scheduler.runDue(); // the renewal the server schedules when it opens
    Instant opened = time.instant();
    assertThat(server.caProviderCredentialsRenewedAt()).contains(opened);
    long firstRenewal = lookup(token).path("last_renewal_time").asLong(0);
    assertThat(firstRenewal).as("Vault saw renew-self").isPositive();
    // The next renewal is due after half of the 120 s Vault granted, not before.
    assertThat(scheduler.nextDue()).contains(Duration.ofSeconds(60));

    scheduler.advance(Duration.ofSeconds(59));
    assertThat(server.caProviderCredentialsRenewedAt()).contains(opened);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(server.caProviderCredentialsRenewedAt()).contains(opened.plusSeconds(60));
    assertThat(scheduler.nextDue()).contains(Duration.ofSeconds(60));
    assertThat(scheduler.failures()).isEmpty();
    // Signing still works with the renewed token.
    assertThat(server.rotateRoot(QueryOptions.defaults()).active().intermediates()).hasSize(1);
  }

  @Test
  void aFailedRenewalIsTriedAgainSoonAndTheLastSuccessStays() throws Exception {
    JsonNode created = vaultCall("POST", "auth/token/create", vault.rootToken(),
        "{\"policies\":[\"root\"],\"ttl\":\"120s\",\"period\":\"120s\",\"renewable\":true}");
    server = openServer(created.path("auth").path("client_token").asText());
    scheduler.runDue();
    Instant renewed = time.instant();
    assertThat(server.caProviderCredentialsRenewedAt()).contains(renewed);

    vault.close(); // Vault gone: the next renewal finds no answer
    scheduler.advance(Duration.ofSeconds(60));
    assertThat(server.caProviderCredentialsRenewedAt()).contains(renewed);
    // Not given up: tried again after 15 s, well before the 120 s token would expire.
    assertThat(scheduler.nextDue()).contains(Duration.ofSeconds(15));
    assertThat(scheduler.failures()).isEmpty();
  }

  @Test
  void aTokenThatNeverExpiresIsNeverRenewed() throws Exception {
    server = openServer(vault.rootToken());
    scheduler.runDue();
    assertThat(server.caProviderCredentialsRenewedAt()).isEmpty();
    // Only the hourly pruning is left: no renewal was scheduled again.
    assertThat(scheduler.nextDue()).contains(Duration.ofHours(1));
  }

  private JsonNode lookup(String token) throws Exception {
    return vaultCall("POST", "auth/token/lookup", vault.rootToken(),
        "{\"token\":\"" + token + "\"}").path("data");
  }

  private JsonNode vaultCall(String method, String path, String token, String body)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(vault.address().resolve("/v1/" + path))
        .timeout(Duration.ofSeconds(10)).header("X-Vault-Token", token)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body())
        .isEqualTo(200);
    return MAPPER.readTree(response.body());
  }
}
