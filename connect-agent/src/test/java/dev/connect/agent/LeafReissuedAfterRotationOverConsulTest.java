package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.cache.CacheListener;
import dev.connect.cache.CacheRequest;
import dev.connect.cache.Leaf;
import dev.connect.consul.ConsulBackend;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.peers.ConsulAgent;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 14): after a root rotation in a real Consul 1.10.4 dev agent (ACLs on,
 * default deny; {@code PUT /v1/connect/ca/configuration} with a new key, through the agent's
 * {@code AgentCa.rotate()}), the leaf the cache holds chains to the new active root within
 * {@link #REISSUE_BOUND}. Consul's agent keeps answering its cached old-root leaf for a while
 * (its own re-issue spread); the cache used to ask twice within its jitter, get the old leaf
 * both times and then wait for the leaf's normal renewal, days later.
 */
class LeafReissuedAfterRotationOverConsulTest {
  /**
   * The stated bound: the cache's jitter (1 s here), Consul's re-issue spread after a root
   * change (up to 20 s in 1.10), and one backoff step past it (at most 24 s), with room.
   */
  static final Duration REISSUE_BOUND = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void leafChainsToTheNewRootWithinTheBoundAfterConsulRotatesWithANewKey() throws Exception {
    try (ConsulAgent consul = ConsulAgent.builder().aclsDefaultDeny().start();
        ConsulBackend backend = ConsulBackend.builder().environment(Map.of())
            .address(consul.httpAddress().toString()).build()) {
      String management = consul.managementToken().orElseThrow();
      String webToken = serviceToken(consul, management, "web",
          "service \"web\" { policy = \"write\" }");
      try (ConnectAgent agent = ConnectAgent.builder().consul(backend)
          .caChangeJitter(Duration.ofSeconds(1)).build()) {
        ConnectService web = agent.service("web", webToken);
        Leaf first = web.leaf();
        BlockingQueue<Leaf> leaves = new LinkedBlockingQueue<>();
        CacheListener.Registration listening = agent.cache().addListener(new CacheListener() {
          @Override
          public void leafChanged(String service, CacheRequest request, Leaf leaf) {
            if (service.equals("web")) {
              leaves.add(leaf);
            }
          }
        });
        try (listening) {
          CaRoots rotated = agent.ca(management).rotate();
          CaRoot active = rotated.active();
          assertThat(signedBy(first, active)).as("the leaf before the rotation").isFalse();

          long start = System.nanoTime();
          long deadline = start + REISSUE_BOUND.toNanos();
          Leaf now = web.leaf();
          while (!signedBy(now, active)) {
            long left = deadline - System.nanoTime();
            Leaf next = left <= 0 ? null : leaves.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
              throw new AssertionError("web's leaf (serial " + now.certificate().serialNumberHex()
                  + ") does not chain to the new root " + active.id() + " within "
                  + REISSUE_BOUND);
            }
            now = web.leaf();
          }
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          System.out.println("rotation to a leaf of the new root over Consul: "
              + took.toMillis() + " ms");
          assertThat(now.certificate().serialNumber())
              .isNotEqualTo(first.certificate().serialNumber());
        }
      }
    }
  }

  private static boolean signedBy(Leaf leaf, CaRoot root) {
    byte[] akid = leaf.certificate().certificate().getExtensionValue("2.5.29.35");
    // OCTET STRING { SEQUENCE { [0] keyIdentifier } }: the key ID is the last 20..32 bytes.
    String hex = HexFormat.of().formatHex(akid);
    return hex.endsWith(root.signingKeyId().replace(":", "").toLowerCase());
  }

  private static String serviceToken(ConsulAgent consul, String management, String name,
      String rules) throws Exception {
    ObjectMapper json = new ObjectMapper();
    send(consul, management, "PUT", "/v1/acl/policy",
        json.writeValueAsString(Map.of("Name", name, "Rules", rules)));
    String token = send(consul, management, "PUT", "/v1/acl/token",
        "{\"Policies\":[{\"Name\":\"" + name + "\"}]}");
    return json.readTree(token).path("SecretID").asText();
  }

  private static String send(ConsulAgent consul, String token, String method, String path,
      String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(consul.httpAddress().resolve(path))
        .timeout(Duration.ofSeconds(30)).header("X-Consul-Token", token)
        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
          + r.body());
    }
    return r.body();
  }
}
