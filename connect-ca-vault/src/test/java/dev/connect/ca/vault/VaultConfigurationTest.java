package dev.connect.ca.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vault settings in Consul's words (issue 16): each invalid one is refused when built, with a
 * message naming the setting and the value, and the token appears in no message and no {@code
 * toString}.
 */
class VaultConfigurationTest {
  private static final String TOKEN = "hvs.very-secret-token";
  @TempDir Path dir;

  private static VaultConfiguration.Builder valid() {
    return VaultConfiguration.builder().address("http://127.0.0.1:8200").token(TOKEN)
        .rootPkiPath("/connect-root/").intermediatePkiPath("connect-intermediate");
  }

  @Test
  void pathsLoseTheirOuterSlashesAndTheTokenIsNeverShown() {
    VaultConfiguration c = valid().build();
    assertThat(c.rootPkiPath()).isEqualTo("connect-root");
    assertThat(c.leafRole()).isEqualTo("leaf-cert");
    assertThat(c.toString()).contains("token=<redacted>").doesNotContain(TOKEN);
  }

  @Test
  void invalidSettingsAreRefusedNamingSettingAndValue() {
    assertThatThrownBy(() -> valid().address("vault:8200"))
        .hasMessageContaining("Vault Address must start with http:// or https://: vault:8200");
    assertThatThrownBy(() -> valid().address("https://vault:8200/v1"))
        .hasMessageContaining("no user, path, query or fragment: https://vault:8200/v1");
    assertThatThrownBy(() -> valid().rootPkiPath("connect root"))
        .hasMessageContaining("RootPKIPath").hasMessageContaining("connect root");
    assertThatThrownBy(() -> valid().intermediatePkiPath("connect-root").build())
        .hasMessageContaining("RootPKIPath and IntermediatePKIPath must differ")
        .hasMessageContaining("connect-root");
    assertThatThrownBy(() -> VaultConfiguration.builder().address("http://127.0.0.1:8200")
        .rootPkiPath("a").intermediatePkiPath("b").build())
        .hasMessage("Vault Token is required");
    assertThatThrownBy(() -> valid().caFile(dir.resolve("missing.pem")).build())
        .hasMessageContaining("need an https Address, not http://127.0.0.1:8200");
    assertThatThrownBy(() -> valid().address("https://127.0.0.1:8200")
        .caFile(dir.resolve("missing.pem")).build())
        .hasMessageContaining("Vault CAFile cannot be read: " + dir.resolve("missing.pem"));
  }

  @Test
  void aTokenThatCannotBeAHeaderIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(() -> valid().token("  "))
        .hasMessage("Vault Token must not be empty");
    assertThatThrownBy(() -> valid().token("secret\r\nX-Injected: 1"))
        .hasMessageContaining("position 6").hasMessageNotContaining("secret");
  }
}
