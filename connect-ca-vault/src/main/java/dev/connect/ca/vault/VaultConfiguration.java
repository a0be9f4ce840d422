package dev.connect.ca.vault;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of the Vault CA provider, named as Consul's {@code vault} provider names them:
 * {@code Address}, {@code Token}, {@code RootPKIPath}, {@code IntermediatePKIPath}, and the TLS
 * settings {@code CAFile}, {@code CertFile} and {@code KeyFile}.
 *
 * <pre>{@code
 * VaultConfiguration vault = VaultConfiguration.builder()
 *     .address("https://vault.internal:8200").token(System.getenv("VAULT_TOKEN"))
 *     .rootPkiPath("connect-root").intermediatePkiPath("connect-intermediate")
 *     .caFile(Path.of("/etc/vault/ca.pem")).build();
 * }</pre>
 *
 * <p>Everything is validated in {@link Builder#build()}, with messages naming the offending
 * value; the token is a secret and appears in no message and no {@link #toString()}. The
 * provider also uses a second intermediate mount, {@code <IntermediatePKIPath>-2}, to rotate
 * without a gap (see {@link VaultCaProvider}). Immutable and thread-safe.
 */
public final class VaultConfiguration {
  private static final Pattern PKI_PATH = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_.-]+");

  private final URI address;
  private final String token;
  private final String rootPkiPath;
  private final String intermediatePkiPath;
  private final String leafRole;
  private final Optional<Path> caFile;
  private final Optional<Path> certFile;
  private final Optional<Path> keyFile;
  private final Duration requestTimeout;

  private VaultConfiguration(Builder b) {
    this.address = b.address;
    this.token = b.token;
    this.rootPkiPath = b.rootPkiPath;
    this.intermediatePkiPath = b.intermediatePkiPath;
    this.leafRole = b.leafRole;
    this.caFile = Optional.ofNullable(b.caFile);
    this.certFile = Optional.ofNullable(b.certFile);
    this.keyFile = Optional.ofNullable(b.keyFile);
    this.requestTimeout = b.requestTimeout;
  }

  /**
   * Returns a builder; {@code address}, {@code token}, {@code rootPkiPath} and {@code
   * intermediatePkiPath} are required, as in Consul.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns Vault's address, such as {@code https://127.0.0.1:8200} (Consul's {@code Address}). */
  public URI address() {
    return address;
  }

  /**
   * Returns the Vault token (Consul's {@code Token}), sent as {@code X-Vault-Token}. A secret:
   * never log it.
   *
   * @return the token
   */
  public String token() {
    return token;
  }

  /** Returns the path of the root PKI mount (Consul's {@code RootPKIPath}), without slashes at the ends. */
  public String rootPkiPath() {
    return rootPkiPath;
  }

  /**
   * Returns the path of the intermediate PKI mount leaves are signed through (Consul's {@code
   * IntermediatePKIPath}), without slashes at the ends.
   *
   * @return the path
   */
  public String intermediatePkiPath() {
    return intermediatePkiPath;
  }

  /** Returns the name of the role leaves are signed through; default {@code leaf-cert}, as Consul's. */
  public String leafRole() {
    return leafRole;
  }

  /** Returns the PEM file of the CAs trusted for Vault's HTTPS certificate (Consul's {@code CAFile}). */
  public Optional<Path> caFile() {
    return caFile;
  }

  /** Returns the PEM client certificate presented to Vault (Consul's {@code CertFile}). */
  public Optional<Path> certFile() {
    return certFile;
  }

  /** Returns the PEM private key of the client certificate (Consul's {@code KeyFile}). */
  public Optional<Path> keyFile() {
    return keyFile;
  }

  /** Returns how long one request to Vault may take; default 10 seconds. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Returns the settings without the token: {@code VaultConfiguration[address=..., token=<redacted>, ...]}. */
  @Override
  public String toString() {
    return "VaultConfiguration[address=" + address + ", token=<redacted>, rootPkiPath="
        + rootPkiPath + ", intermediatePkiPath=" + intermediatePkiPath + ", leafRole=" + leafRole
        + ", caFile=" + caFile.map(Path::toString).orElse("") + ", certFile="
        + certFile.map(Path::toString).orElse("") + ", keyFile="
        + keyFile.map(Path::toString).orElse("") + "]";
  }

  /**
   * Returns these settings with other mounts: what a {@code PUT} of the CA configuration with
   * another {@code RootPKIPath} or {@code IntermediatePKIPath} makes.
   *
   * @throws IllegalArgumentException as the builder's setters and {@link Builder#build()}
   */
  VaultConfiguration withPkiPaths(String root, String intermediate) {
    Builder b = builder().address(address.toString()).token(token).rootPkiPath(root)
        .intermediatePkiPath(intermediate).leafRole(leafRole).requestTimeout(requestTimeout);
    caFile.ifPresent(b::caFile);
    if (certFile.isPresent() && keyFile.isPresent()) {
      b.clientCertificate(certFile.get(), keyFile.get());
    }
    return b.build();
  }

  /** A mutable builder of {@link VaultConfiguration}; not thread-safe. */
  public static final class Builder {
    private URI address;
    private String token;
    private String rootPkiPath;
    private String intermediatePkiPath;
    private String leafRole = "leaf-cert";
    private Path caFile;
    private Path certFile;
    private Path keyFile;
    private Duration requestTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets Vault's address: {@code http} or {@code https}, a host, an optional port, and no
     * path, query or user information. Required.
     *
     * @param address such as {@code http://127.0.0.1:8200}
     * @return this builder
     * @throws IllegalArgumentException if it is not such an address; the message names it
     */
    public Builder address(String address) {
      requireNonNull(address, "address");
      URI uri;
      try {
        uri = new URI(address.endsWith("/") ? address.substring(0, address.length() - 1)
            : address);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("Vault Address is not a URI: " + address, e);
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("Vault Address must start with http:// or https://: "
            + address);
      }
      if (uri.getHost() == null || uri.getRawUserInfo() != null
          || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException("Vault Address must be scheme://host[:port] with no"
            + " user, path, query or fragment: " + address);
      }
      this.address = uri;
      return this;
    }

    /**
     * Sets the Vault token, sent as {@code X-Vault-Token}. Required; it needs the capabilities
     * listed in {@code docs/vault.md}.
     *
     * @param token the token, not blank
     * @return this builder
     * @throws IllegalArgumentException if it is blank or holds control characters or spaces (the
     *     message does not quote it)
     */
    public Builder token(String token) {
      requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("Vault Token must not be empty");
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (c <= ' ' || c >= 0x7f) {
          throw new IllegalArgumentException("Vault Token holds a character not allowed in an"
              + " HTTP header at position " + i + " (the token is not shown)");
        }
      }
      this.token = token;
      return this;
    }

    /**
     * Sets the root PKI mount's path. Required. Slashes at the ends are dropped, as Consul does.
     *
     * @param path such as {@code connect-root}
     * @return this builder
     * @throws IllegalArgumentException if it is empty or holds characters other than letters,
     *     digits, {@code _ . -} and inner slashes
     */
    public Builder rootPkiPath(String path) {
      this.rootPkiPath = pkiPath("RootPKIPath", path);
      return this;
    }

    /**
     * Sets the intermediate PKI mount's path. Required; must differ from the root's.
     *
     * @param path such as {@code connect-intermediate}
     * @return this builder
     * @throws IllegalArgumentException as {@link #rootPkiPath}
     */
    public Builder intermediatePkiPath(String path) {
      this.intermediatePkiPath = pkiPath("IntermediatePKIPath", path);
      return this;
    }

    /**
     * Sets the role leaves are signed through; default {@code leaf-cert}.
     *
     * @param role letters, digits, {@code _ . -}
     * @return this builder
     * @throws IllegalArgumentException if it holds anything else
     */
    public Builder leafRole(String role) {
      requireNonNull(role, "role");
      if (!ROLE.matcher(role).matches()) {
        throw new IllegalArgumentException("Vault leaf role must be letters, digits, '_', '.'"
            + " or '-': " + role);
      }
      this.leafRole = role;
      return this;
    }

    /**
     * Sets the PEM file of CAs trusted for Vault's HTTPS certificate; default the JDK's trust
     * store. Needs an {@code https} address.
     *
     * @param file a readable PEM file
     * @return this builder
     */
    public Builder caFile(Path file) {
      this.caFile = requireNonNull(file, "file");
      return this;
    }

    /**
     * Sets the client certificate and its key presented to Vault over HTTPS; default none.
     *
     * @param certFile the PEM certificate chain, leaf first
     * @param keyFile its PEM private key (PKCS#1, PKCS#8 or SEC1)
     * @return this builder
     */
    public Builder clientCertificate(Path certFile, Path keyFile) {
      this.certFile = requireNonNull(certFile, "certFile");
      this.keyFile = requireNonNull(keyFile, "keyFile");
      return this;
    }

    /**
     * Sets how long one request to Vault may take; default 10 seconds.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if it is zero or negative
     */
    public Builder requestTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if a required setting is missing
     * @throws IllegalArgumentException if the root and intermediate paths are the same, or TLS
     *     files are given with an {@code http} address or cannot be read; the message names the
     *     setting and value
     */
    public VaultConfiguration build() {
      if (address == null) {
        throw new IllegalStateException("Vault Address is required");
      }
      if (token == null) {
        throw new IllegalStateException("Vault Token is required");
      }
      if (rootPkiPath == null) {
        throw new IllegalStateException("Vault RootPKIPath is required");
      }
      if (intermediatePkiPath == null) {
        throw new IllegalStateException("Vault IntermediatePKIPath is required");
      }
      if (rootPkiPath.equals(intermediatePkiPath)
          || rootPkiPath.equals(intermediatePkiPath + "-2")) {
        throw new IllegalArgumentException("Vault RootPKIPath and IntermediatePKIPath must"
            + " differ (the intermediate also uses <IntermediatePKIPath>-2): both name "
            + rootPkiPath);
      }
      boolean tls = caFile != null || certFile != null;
      if (tls && !"https".equals(address.getScheme())) {
        throw new IllegalArgumentException("Vault CAFile, CertFile and KeyFile need an https"
            + " Address, not " + address);
      }
      for (Object[] f : new Object[][] {{"CAFile", caFile}, {"CertFile", certFile},
          {"KeyFile", keyFile}}) {
        Path p = (Path) f[1];
        if (p != null && !Files.isReadable(p)) {
          throw new IllegalArgumentException("Vault " + f[0] + " cannot be read: " + p);
        }
      }
      return new VaultConfiguration(this);
    }

    private static String pkiPath(String name, String path) {
      requireNonNull(path, name);
      String trimmed = path;
      while (trimmed.startsWith("/")) {
        trimmed = trimmed.substring(1);
      }
      while (trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      if (!PKI_PATH.matcher(trimmed).matches()) {
        throw new IllegalArgumentException("Vault " + name + " must be letters, digits, '_',"
            + " '.', '-' and inner '/': " + path);
      }
      return trimmed;
    }
  }
}
