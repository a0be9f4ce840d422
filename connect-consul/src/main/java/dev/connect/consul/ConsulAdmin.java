package dev.connect.consul;

import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaKeySpec;
import dev.connect.core.CaRoots;
import dev.connect.core.Decision;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.KeyType;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.io.IOException;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The intention and CA administration of {@link ConsulBackend}: Consul's {@code
 * /v1/connect/intentions} and {@code /v1/connect/ca/configuration} endpoints.
 */
final class ConsulAdmin {
  private static final String INTENTIONS = "/v1/connect/intentions";
  private final ConsulBackend backend;

  ConsulAdmin(ConsulBackend backend) {
    this.backend = backend;
  }

  private ConsulHttp.Call call(String method, String path, QueryOptions options) {
    return backend.plain(backend.http().call(method, path), options);
  }

  /**
   * Returns a write's response if it is 200. Consul 1.10 answers 500 for a write it refuses as
   * invalid (a duplicate, a bad action, a multi-error of validation failures): those become
   * {@link IllegalArgumentException} with Consul's text; other 500s stay {@link
   * ConsulHttpException}.
   */
  static ConsulHttp.Response writeOk(ConsulHttp.Response r) {
    if (r.status() == 500) {
      String t = r.text();
      if (t.startsWith("duplicate intention found") || t.startsWith("Invalid")
          || t.startsWith("1 error occurred") || t.matches("(?s)\\d+ errors occurred.*")
          || t.startsWith("Intention not found") || t.startsWith("cannot use legacy")
          || t.matches("(?s)Sources\\[\\d+\\] defines .*")) {
        return failInvalid(r);
      }
    }
    return ConsulHttp.requireOk(r);
  }

  private static ConsulHttp.Response failInvalid(ConsulHttp.Response r) {
    throw new IllegalArgumentException(r.endpoint() + " answered 500: "
        + Texts.escape(r.text(), 512));
  }

  private static String target(IntentionTarget t) {
    return t.namespace().equals("default") ? t.name() : t.namespace() + "/" + t.name();
  }

  private static Intention intention(ConsulHttp.Response r) {
    try {
      return r.decode(Shape.of(IntentionWire.class)).toIntention();
    } catch (IllegalArgumentException e) {
      throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
          + e.getMessage(), e);
    }
  }

  private static byte[] body(Intention i) {
    IntentionWire w = IntentionWire.from(i);
    // A write carries what the caller chose; IDs, indexes and precedence are the server's.
    return ConsulJson.encode(new IntentionWire(null, null, null, w.description(), w.sourceNs(),
        w.sourceName(), w.destinationNs(), w.destinationName(), w.sourceType(), w.action(),
        null, w.meta(), null, null, null, null), JsonStyle.COMPACT);
  }

  CompletableFuture<Intention> create(Intention intention, QueryOptions options) {
    return call("POST", INTENTIONS, options).body(body(intention)).send()
        .thenApply(ConsulAdmin::writeOk)
        .thenCompose(r -> get(r.decode(Shape.of(IntentionIdWire.class)).id(), options))
        .thenApply(o -> o.orElseThrow(() -> new ConsulHttpException("GET " + INTENTIONS, 404,
            "the created intention vanished")));
  }

  CompletableFuture<Intention> update(String id, Intention intention, QueryOptions options) {
    if (!intention.id().isEmpty() && !intention.id().equals(id)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "the intention's ID " + intention.id() + " is not " + id));
    }
    return call("PUT", INTENTIONS + "/" + pathSegment(id), options).body(body(intention))
        .send().thenApply(ConsulAdmin::writeOk)
        .thenCompose(r -> get(id, options))
        .thenApply(o -> o.orElseThrow(() -> new IllegalArgumentException(
            "no intention has the ID " + id)));
  }

  CompletableFuture<Intention> upsert(IntentionTarget source, IntentionTarget destination,
      IntentionAction action, String description, QueryOptions options) {
    Map<String, String> b = new LinkedHashMap<>();
    b.put("Action", action.wireName());
    if (!description.isEmpty()) {
      b.put("Description", description);
    }
    return exact("PUT", source, destination, options)
        .body(ConsulJson.encode(b, JsonStyle.COMPACT)).send().thenApply(ConsulAdmin::writeOk)
        .thenCompose(r -> getExact(source, destination, options))
        .thenApply(o -> o.orElseThrow(() -> new ConsulHttpException("GET " + INTENTIONS
            + "/exact", 404, "the written intention vanished")));
  }

  private ConsulHttp.Call exact(String method, IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return call(method, INTENTIONS + "/exact", options).param("source", target(source))
        .param("destination", target(destination));
  }

  CompletableFuture<Optional<Intention>> get(String id, QueryOptions options) {
    return call("GET", INTENTIONS + "/" + pathSegment(id), options).send()
        .thenApply(ConsulAdmin::optionalIntention);
  }

  CompletableFuture<Optional<Intention>> getExact(IntentionTarget source,
      IntentionTarget destination, QueryOptions options) {
    return exact("GET", source, destination, options).send()
        .thenApply(ConsulAdmin::optionalIntention);
  }

  private static Optional<Intention> optionalIntention(ConsulHttp.Response r) {
    if (r.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(intention(ConsulHttp.requireOk(r)));
  }

  CompletableFuture<QueryResult<List<Intention>>> list(QueryOptions options) {
    return backend.query(INTENTIONS, options).ok().thenApply(r -> {
      List<IntentionWire> wires = r.decode(Shape.listOf(IntentionWire.class));
      List<Intention> out = new ArrayList<>();
      for (IntentionWire w : wires == null ? List.<IntentionWire>of() : wires) {
        try {
          out.add(w.toIntention());
        } catch (IllegalArgumentException e) {
          throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
              + e.getMessage(), e);
        }
      }
      return new QueryResult<>(List.copyOf(out), r.index());
    });
  }

  CompletableFuture<Boolean> delete(String id, QueryOptions options) {
    return call("DELETE", INTENTIONS + "/" + pathSegment(id), options).send().thenApply(r -> {
      // Consul 1.10 answers 500 "Cannot delete non-existent intention: '<id>'".
      if (r.status() == 500 && r.text().startsWith("Cannot delete non-existent intention")) {
        return false;
      }
      ConsulHttp.requireOk(r);
      return true;
    });
  }

  CompletableFuture<Boolean> deleteExact(IntentionTarget source, IntentionTarget destination,
      QueryOptions options) {
    // Consul answers true whether or not it existed: look first (a concurrent writer can race).
    return getExact(source, destination, options).thenCompose(found -> exact("DELETE", source,
        destination, options).ok().thenApply(r -> found.isPresent()));
  }

  CompletableFuture<Decision> check(String source, String destination, QueryOptions options) {
    return call("GET", INTENTIONS + "/check", options).param("source", source)
        .param("destination", destination).ok().thenApply(r -> {
          Boolean allowed = r.decode(Shape.of(IntentionCheckWire.class)).allowed();
          if (allowed == null) {
            throw new ConsulHttpException(r.endpoint(), r.status(),
                "malformed body: no Allowed");
          }
          return new Decision(allowed, "Consul's " + INTENTIONS + "/check answered Allowed: "
              + allowed, Optional.empty());
        });
  }

  CompletableFuture<CaConfiguration> caGetConfig(QueryOptions options) {
    return call("GET", "/v1/connect/ca/configuration", options).ok().thenApply(r -> {
      try {
        return r.decode(Shape.of(CaConfigurationWire.class)).toCaConfiguration();
      } catch (IllegalArgumentException e) {
        throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
            + e.getMessage(), e);
      }
    });
  }

  CompletableFuture<CaRoots> caSetConfig(CaConfiguration configuration, QueryOptions options) {
    // A PUT replaces the whole configuration, and naming another provider switches to it: keep
    // the server's provider (vault) and its own settings, as Consul's CLI sends the full config.
    return call("GET", "/v1/connect/ca/configuration", options).ok().thenCompose(r -> {
      CaConfigurationWire current = r.decode(Shape.of(CaConfigurationWire.class));
      if (current.provider() == null
          || current.provider().equals(CaConfigurationRequestWire.PROVIDER_CONSUL)) {
        return putConfig(CaConfigurationRequestWire.configOf(configuration), options);
      }
      Map<String, Object> config = new LinkedHashMap<>();
      if (current.config() != null) {
        config.putAll(current.config());
      }
      config.putAll(CaConfigurationRequestWire.configOf(configuration));
      return putConfig(current.provider(), config, options);
    });
  }

  CompletableFuture<CaRoots> caRotate(QueryOptions options) {
    return caGetConfig(options).thenCompose(c -> {
      Map<String, Object> config = new LinkedHashMap<>(CaConfigurationRequestWire.configOf(c));
      config.put("PrivateKey", newRootKeyPem(c.keySpec()));
      return putConfig(config, options);
    });
  }

  CompletableFuture<CaRoots> caRotate(String privateKeyPem, String rootCertPem,
      QueryOptions options) {
    return caGetConfig(options).thenCompose(c -> {
      Map<String, Object> config = new LinkedHashMap<>(CaConfigurationRequestWire.configOf(c));
      config.put("PrivateKey", privateKeyPem);
      config.put("RootCert", rootCertPem);
      return putConfig(config, options);
    });
  }

  private CompletableFuture<CaRoots> putConfig(Map<String, Object> config,
      QueryOptions options) {
    return putConfig(CaConfigurationRequestWire.PROVIDER_CONSUL, config, options);
  }

  private CompletableFuture<CaRoots> putConfig(String provider, Map<String, Object> config,
      QueryOptions options) {
    CaConfigurationRequestWire wire = new CaConfigurationRequestWire(provider, config, null,
        null);
    return call("PUT", "/v1/connect/ca/configuration", options)
        .body(ConsulJson.encode(wire, JsonStyle.COMPACT)).send().thenApply(ConsulAdmin::writeOk)
        // The server's roots, not the agent's cached ones, which may not show the new root yet.
        .thenCompose(r -> call("GET", "/v1/connect/ca/roots", options).ok())
        .thenApply(r -> {
          CaRootsWire roots = r.decode(Shape.of(CaRootsWire.class));
          try {
            return roots.toCaRoots();
          } catch (IllegalArgumentException e) {
            throw new ConsulHttpException(r.endpoint(), r.status(), "malformed body: "
                + e.getMessage(), e);
          }
        });
  }

  /** A new root key in Consul's own PEM form (SEC1 for EC, PKCS#1 for RSA). */
  private static String newRootKeyPem(CaKeySpec spec) {
    PrivateKey key;
    try {
      KeyPairGenerator g;
      if (spec.keyType() == KeyType.EC) {
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(spec.bits() == 384 ? "secp384r1" : "secp256r1"));
      } else {
        g = KeyPairGenerator.getInstance("RSA");
        g.initialize(spec.bits());
      }
      key = g.generateKeyPair().getPrivate();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + spec + " root key", e);
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      if (spec.keyType() == KeyType.EC) {
        // SEC1 with the named curve in its parameters: Go's x509.ParseECPrivateKey needs it.
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) key).getS();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
            spec.bits(), d, info.getPrivateKeyAlgorithm().getParameters());
        pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      } else {
        pem.writeObject(key); // PKCS#1, as Consul writes RSA keys
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toString();
  }

  private static String pathSegment(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }
}
