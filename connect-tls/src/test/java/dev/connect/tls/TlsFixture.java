package dev.connect.tls;

import dev.connect.cache.CacheRequest;
import dev.connect.cache.Fixture;
import dev.connect.core.IntentionAction;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * connect-cache's {@link Fixture} (a real embedded server and a cache over it on one fake time
 * and scheduler) for TLS tests: time starts at the real now, so that OpenSSL, which reads the
 * real clock, agrees with our trust managers about validity; identities are read anonymously.
 */
final class TlsFixture extends Fixture {
  final CacheRequest request = CacheRequest.anonymous();

  TlsFixture(Path dir) throws IOException {
    super(dir, Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  ConnectIdentity identity(String service) {
    return ConnectIdentity.of(cache, service, request);
  }

  String trustDomain() {
    return cache.roots(request).trustDomain();
  }

  /** Writes the cache's current roots to {@code file} as PEM (OpenSSL's -CAfile); returns it. */
  Path writeRoots(Path file) throws IOException, CertificateEncodingException {
    StringBuilder b = new StringBuilder();
    for (X509Certificate root : cache.roots(request).certificates()) {
      b.append(pem("CERTIFICATE", root.getEncoded()));
    }
    return Files.writeString(file, b, US_ASCII);
  }

  /** Returns {@code der} as PEM of the given type, 64 characters a line. */
  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  void runDue() {
    scheduler.runDue();
  }

  /** Writes an intention and lets the cache's blocking query deliver it. */
  @Override
  public void intention(String source, String destination, IntentionAction action) {
    scheduler.runDue(); // make sure the match's blocking query is waiting
    super.intention(source, destination, action);
    scheduler.runDue();
  }
}
