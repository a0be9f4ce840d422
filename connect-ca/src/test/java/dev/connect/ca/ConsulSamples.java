package dev.connect.ca;

import static org.assertj.core.api.Assertions.fail;

import dev.connect.core.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real Consul 1.10.4 recordings in {@code shared/consul-samples}, found above the build. */
final class ConsulSamples {
  /** Trust domain of run A, which made most of the certificates. */
  static final String TRUST_DOMAIN = "5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul";
  /** Trust domain of run D, the non-dev server with an RSA-2048 CA. */
  static final String RSA_TRUST_DOMAIN = "1078fffb-c1ff-837f-4228-8574bb8385f4.consul";

  private static Path dir;

  private ConsulSamples() {}

  static synchronized Path dir() {
    if (dir == null) {
      Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
      for (Path p = start; p != null; p = p.getParent()) {
        Path candidate = p.resolve("shared").resolve("consul-samples");
        if (Files.isDirectory(candidate)) {
          dir = candidate;
          return dir;
        }
      }
      fail("shared/consul-samples not found in " + start + " or any folder above it;"
          + " the profile tests compare with the real Consul certificates kept there");
    }
    return dir;
  }

  static String read(String file) {
    try {
      return Files.readString(dir().resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the first certificate in a file; a leaf's CertPEM may be followed by its chain. */
  static X509Certificate certificate(String file) {
    return Certificates.parsePem(read(file)).get(0);
  }

  /**
   * Returns the {@code PrivateKey} of the user-supplied root that run A was given in {@code
   * ca-rotation-1-put-config-user-root.json}: a throwaway test key (see the README's security
   * note).
   */
  static String userSuppliedRootKey() {
    String json = read("ca-rotation-1-put-config-user-root.json");
    Matcher m = Pattern.compile("\"PrivateKey\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    if (!m.find()) {
      fail("no PrivateKey in ca-rotation-1-put-config-user-root.json");
    }
    return m.group(1).replace("\\n", "\n");
  }
}
