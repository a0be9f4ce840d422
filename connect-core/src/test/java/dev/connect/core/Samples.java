package dev.connect.core;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The recorded Consul v1.10.4 exchanges and certificates in {@code shared/consul-samples}, found
 * by walking up from {@code user.dir} (the module directory under Maven).
 *
 * <p>The recorded JSON is read with regular expressions: connect-core has no JSON library, and the
 * files are pretty-printed with one field per line.
 */
final class Samples {
  /** The trust domain of recording run A (dev agent, no ACLs); most samples come from it. */
  static final String TRUST_DOMAIN_A = "5f7a0ac5-b175-3daf-ea2e-20ddcc74d1c0.consul";
  /** The trust domain of run B (dev agent with ACLs). */
  static final String TRUST_DOMAIN_B = "a4c26d5c-4b2c-7499-572b-d6b5816cbd52.consul";
  /** The trust domain of run C (trace log of the built-in proxy). */
  static final String TRUST_DOMAIN_C = "083c0664-f45c-cf9e-abf0-c34d14c800b2.consul";
  /** The trust domain of run D (non-dev server, RSA CA). */
  static final String TRUST_DOMAIN_D = "1078fffb-c1ff-837f-4228-8574bb8385f4.consul";
  /** The trust domain of run E (fresh dev agent). */
  static final String TRUST_DOMAIN_E = "a4a32c6f-53fe-3472-fdda-9b85ce0a9631.consul";

  private static final String RELATIVE = "shared/consul-samples";
  private static Path dir;

  private Samples() {}

  /** Returns the samples directory, or fails the test saying where it was looked for. */
  static synchronized Path dir() {
    if (dir == null) {
      Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
      for (Path p = start; p != null; p = p.getParent()) {
        Path candidate = p.resolve(RELATIVE);
        if (Files.isDirectory(candidate)) {
          dir = candidate;
          return dir;
        }
      }
      fail("cannot find the recorded Consul samples: no directory " + RELATIVE
          + " in " + start + " or any parent (expected ../shared/consul-samples next to the"
          + " project root)");
    }
    return dir;
  }

  /** Returns the text of a sample file. */
  static String text(String name) {
    try {
      return Files.readString(dir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns every certificate in a {@code .crt.pem} sample, in file order. */
  static List<X509Certificate> certificates(String name) {
    return Certificates.parsePem(text(name));
  }

  /** Returns the first certificate of a {@code .crt.pem} sample. */
  static X509Certificate certificate(String name) {
    return certificates(name).get(0);
  }

  /** Returns the names of every {@code .crt.pem} sample, sorted. */
  static List<String> pemFiles() {
    try (Stream<Path> files = Files.list(dir())) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".crt.pem")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the {@code URI:} SANs that {@code openssl x509 -text} printed for a certificate. */
  static List<String> opensslUriSans(String pemName) {
    String txt = text(pemName.replace(".crt.pem", ".txt"));
    // Only the first certificate of a chain file is printed.
    List<String> uris = new ArrayList<>();
    Matcher m = Pattern.compile("URI:([^\\s,]+)").matcher(txt);
    while (m.find()) {
      uris.add(m.group(1));
    }
    return uris;
  }

  /** One root of a recorded {@code IndexedCARoots} response body. */
  record RecordedRoot(String id, long serialNumber, String signingKeyId,
      String externalTrustDomain, String rootCertPem, List<String> intermediatePems,
      boolean active, String privateKeyType, int privateKeyBits, long createIndex,
      long modifyIndex) {}

  /** Returns the first string field of that name in a recorded exchange, JSON-unescaped. */
  static String jsonString(String jsonName, String name) {
    return unescape(field(text(jsonName), name));
  }

  /** Returns the {@code ActiveRootID} of a recorded roots response. */
  static String activeRootId(String jsonName) {
    return field(text(jsonName), "ActiveRootID");
  }

  /** Returns the {@code TrustDomain} of a recorded roots response. */
  static String rootsTrustDomain(String jsonName) {
    return field(text(jsonName), "TrustDomain");
  }

  /** Returns the roots of a recorded roots response, in response order. */
  static List<RecordedRoot> roots(String jsonName) {
    String body = text(jsonName);
    List<RecordedRoot> roots = new ArrayList<>();
    Matcher m = Pattern.compile("\"ID\":\\s*\"").matcher(body);
    List<Integer> starts = new ArrayList<>();
    while (m.find()) {
      starts.add(m.start());
    }
    for (int i = 0; i < starts.size(); i++) {
      String root = body.substring(starts.get(i),
          i + 1 < starts.size() ? starts.get(i + 1) : body.length());
      roots.add(new RecordedRoot(
          field(root, "ID"),
          Long.parseUnsignedLong(number(root, "SerialNumber")),
          field(root, "SigningKeyID"),
          field(root, "ExternalTrustDomain"),
          unescape(field(root, "RootCert")),
          intermediates(root),
          Boolean.parseBoolean(number(root, "Active")),
          field(root, "PrivateKeyType"),
          Integer.parseInt(number(root, "PrivateKeyBits")),
          Long.parseLong(number(root, "CreateIndex")),
          Long.parseLong(number(root, "ModifyIndex"))));
    }
    if (roots.isEmpty()) {
      fail("no roots found in " + jsonName);
    }
    return roots;
  }

  private static List<String> intermediates(String root) {
    Matcher m = Pattern.compile("\"IntermediateCerts\":\\s*(null|\\[(.*?)\\])", Pattern.DOTALL)
        .matcher(root);
    if (!m.find()) {
      fail("no IntermediateCerts in " + root);
    }
    List<String> pems = new ArrayList<>();
    if (m.group(2) != null) {
      Matcher s = Pattern.compile("\"([^\"]+)\"").matcher(m.group(2));
      while (s.find()) {
        pems.add(unescape(s.group(1)));
      }
    }
    return pems;
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      fail("no string field " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String number(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*([0-9a-z]+)").matcher(json);
    if (!m.find()) {
      fail("no field " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String unescape(String jsonString) {
    return jsonString.replace("\\n", "\n");
  }
}
