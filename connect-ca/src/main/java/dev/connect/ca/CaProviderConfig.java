package dev.connect.ca;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which CA provider signs and its own settings, as Consul's CA configuration gives them: {@code
 * Provider} ({@code consul} for the built-in CA, {@code vault}, ...) and the provider's keys of
 * {@code Config} ({@code Address}, {@code RootPKIPath}, ...). Never holds a secret when it comes
 * from a server; {@link #toString()} shows only the keys.
 *
 * @param provider the provider's name, such as {@code vault}
 * @param settings the provider's settings in Consul's names; values are strings,
 *     numbers or booleans
 */
public record CaProviderConfig(String provider, Map<String, Object> settings) {
  /** Validates the name and copies the settings. */
  public CaProviderConfig {
    requireNonNull(provider, "provider");
    requireNonNull(settings, "settings");
    if (provider.isBlank()) {
      throw new IllegalArgumentException("provider must not be blank");
    }
    settings = Map.copyOf(new TreeMap<>(settings));
  }

  /** Returns the provider and the names of its settings, never their values. */
  @Override
  public String toString() {
    return "CaProviderConfig[provider=" + provider + ", settings=" + new TreeMap<>(settings)
        .keySet() + "]";
  }
}
