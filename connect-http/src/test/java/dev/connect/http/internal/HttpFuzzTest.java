package dev.connect.http.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connect.core.AclDefaultPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fuzzes {@code connect agent}'s HTTP API over real HTTP (issue 13): every recorded request of
 * {@code ../shared/consul-samples/} to a path in {@link #PATHS}, mutated in its body (truncated,
 * types flipped, huge numbers, deep nesting, bad UTF-8, unknown fields), its headers (tokens,
 * {@code index}/{@code wait}, Content-Length lies) and its path (bad percent-encodings, {@code
 * ..}, very long names, control characters), with ACLs off and on. Each reply must be complete
 * (a status line, a Content-Length matching the body) and below 500; an error reply has a text or
 * JSON body and no stack trace. The seed is printed with every failure; {@code
 * -Dfuzz.seed=<n>} replays one run, {@code -Dfuzz.count=<n>} changes the number of requests.
 */
class HttpFuzzTest {
  private static final Path SAMPLES = Path.of("..", "..", "shared", "consul-samples");
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The paths fuzzed: a recorded request is replayed and mutated when its path starts with one
   * of these. Extend it when an endpoint lands (the services and catalog ones are listed already;
   * until they are served their requests get the 404 of an unknown path).
   */
  static final List<String> PATHS = List.of("/v1/agent/connect/", "/v1/connect/",
      "/v1/agent/self", "/v1/status/leader", "/v1/acl/", "/v1/agent/service/",
      "/v1/agent/services", "/v1/health/connect/", "/v1/catalog/connect/");
  private static final int COUNT = Integer.getInteger("fuzz.count", 2500);
  private static final Duration PER_REQUEST = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** One request as sent on the wire. */
  private record Req(String method, String target, Map<String, String> headers, byte[] body,
      boolean lieLonger, String what) {
    Req with(String what2) {
      return new Req(method, target, headers, body, lieLonger, what + " / " + what2);
    }
  }

  @ParameterizedTest(name = "acls={0}")
  @ValueSource(booleans = {false, true})
  void randomAndMutatedRequestsNeverGetA5xxOrATornReply(boolean acls) throws Exception {
    List<Req> seeds = seeds();
    Assumptions.assumeFalse(seeds.isEmpty(), "samples not present: " + SAMPLES.toAbsolutePath());
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    // Limits low enough for the long mutations to reach them: 431 and 413 are fuzzed too.
    HttpServerCore.Settings limits = AgentFixture.settings(200, 200, 16 * 1024, 256 * 1024);
    try (AgentFixture f = new AgentFixture(dir, limits, b -> {
      if (acls) {
        b.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY);
      }
    })) {
      String master = acls ? f.agent.acl().bootstrap().revealSecretId() : "";
      Map<Integer, Integer> statuses = new java.util.TreeMap<>();
      for (int i = 0; i < COUNT; i++) {
        Req base = seeds.get(random.nextInt(seeds.size()));
        base = withToken(base, random, master, f.agent.trustDomain());
        Req req = mutate(base, random);
        statuses.merge(check(f, req, "seed=" + seed + " request #" + i + " acls=" + acls + ": "
            + req.what()), 1, Integer::sum);
      }
      System.out.println("HttpFuzzTest seed=" + seed + " acls=" + acls + " statuses=" + statuses);
      // The mutations must reach the endpoints, not only the codec's refusals.
      assertThat(statuses.keySet()).as("seed=%d", seed).contains(200, 400, 404, 405, 413, 431);
    }
  }

  /** Every recorded request to a fuzzed path, as recorded (their tokens are rewritten later). */
  static List<Req> seeds() throws IOException {
    if (!Files.isDirectory(SAMPLES)) {
      return List.of();
    }
    List<Req> seeds = new ArrayList<>();
    try (Stream<Path> files = Files.list(SAMPLES)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        if (!file.toString().endsWith(".json")) {
          continue;
        }
        JsonNode sample;
        try {
          sample = JSON.readTree(file.toFile());
        } catch (IOException notASample) {
          continue;
        }
        JsonNode request = sample.get("request");
        if (request == null || request.get("path") == null) {
          continue;
        }
        String path = request.get("path").asText();
        if (PATHS.stream().noneMatch(path::startsWith)) {
          continue;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = request.get("headers");
        if (h != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")
                && !name.equalsIgnoreCase("Connection")) {
              headers.put(name, e.getValue().asText());
            }
          }
        }
        JsonNode body = request.get("body");
        byte[] bytes = body == null || body.isNull() ? new byte[0]
            : body.isTextual() ? body.asText().getBytes(UTF_8) : JSON.writeValueAsBytes(body);
        seeds.add(new Req(request.get("method").asText(), path, headers, bytes, false,
            file.getFileName().toString()));
      }
    }
    return seeds;
  }

  /** Swaps the recorded token for this agent's master token, or none, or a made-up one. */
  private static Req withToken(Req r, Random random, String master, String trustDomain) {
    Map<String, String> headers = new LinkedHashMap<>(r.headers());
    headers.remove("X-Consul-Token");
    headers.remove("Authorization");
    String target = r.target().replaceAll("([?&])token=[^&]*", "$1token=" + master);
    switch (random.nextInt(4)) {
      case 0, 1 -> headers.put("X-Consul-Token", master);
      case 2 -> headers.put("Authorization", "Bearer " + master);
      default -> { }
    }
    // The recorded trust domains become ours, so that authorize gets past the URI check.
    byte[] body = new String(r.body(), UTF_8)
        .replaceAll("spiffe://[0-9a-f-]{36}\\.consul", "spiffe://" + trustDomain)
        .getBytes(UTF_8);
    return new Req(r.method(), target, headers, body, false, r.what());
  }

  // --- mutations ------------------------------------------------------------------------------

  private static Req mutate(Req r, Random random) {
    int rounds = 1 + random.nextInt(2);
    Req m = r;
    for (int i = 0; i < rounds; i++) {
      m = switch (random.nextInt(10)) {
        case 0, 1, 2 -> mutateBody(m, random);
        case 3, 4 -> mutateHeaders(m, random);
        case 5, 6 -> mutatePath(m, random);
        case 7 -> mutateQuery(m, random);
        case 8 -> mutateMethod(m, random);
        default -> m.with("as recorded");
      };
    }
    return m;
  }

  private static Req body(Req r, byte[] body, String what) {
    return new Req(r.method(), r.target(), r.headers(), body, r.lieLonger(),
        r.what() + " / body " + what);
  }

  private static Req mutateBody(Req r, Random random) {
    byte[] b = r.body();
    switch (random.nextInt(12)) {
      case 0:
        return body(r, java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length)),
            "truncated");
      case 1:
        return flipType(r, random);
      case 2:
        return replaceValue(r, random, pick(random, "1e400", "-1e400",
            "123456789012345678901234567890", "-9223372036854775809", "18446744073709551616",
            "0.0000000000000000000000000001", "1E+2147483648"), "huge number");
      case 3: {
        int depth = 100 + random.nextInt(20_000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        return body(r, (open.repeat(depth) + "1" + close.repeat(depth)).getBytes(UTF_8),
            "nested " + depth);
      }
      case 4: {
        byte[] bad = pick(random, new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, 0x28},
            new byte[] {0});
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(bad);
        out.write(b, at, b.length - at);
        return body(r, out.toByteArray(), "bad UTF-8 at " + at);
      }
      case 5:
        return addField(r, random);
      case 6:
        return body(r, new byte[0], "empty");
      case 7: {
        byte[] junk = new byte[random.nextInt(300)];
        random.nextBytes(junk);
        return body(r, junk, "random bytes");
      }
      case 8:
        return replaceValue(r, random, "\"" + "x".repeat(random.nextInt(400_000)) + "\"",
            "long string");
      case 9:
        return body(r, pick(random, "null", "[]", "\"x\"", "true", "0", "{}", "{\"\":1}",
            "{}{}", "{\"a\":1,}", "{\"a\":1}trailing").getBytes(UTF_8), "other JSON");
      case 10:
        return replaceValue(r, random, pick(random, "\"\\ud800\"", "\"\\u0000\"", "\"%zz\"",
            "\"../../etc\"", "\"a\\nb\"", "\"*\"", "\"spiffe://\"", "\"spiffe://x/ns//dc/\""),
            "odd string");
      default: {
        // A duplicate key: Go keeps the last value.
        String s = new String(b, UTF_8);
        int close = s.lastIndexOf('}');
        if (close <= 0 || !s.trim().startsWith("{")) {
          return r.with("no object to duplicate");
        }
        String dup = s.substring(1, close).split(",")[0];
        return body(r, (s.substring(0, close) + (dup.isBlank() ? "" : "," + dup) + "}")
            .getBytes(UTF_8), "duplicate key");
      }
    }
  }

  private static Req flipType(Req r, Random random) {
    return replaceValue(r, random, pick(random, "1", "-1", "true", "null", "[]", "{}",
        "[\"a\",1]", "{\"x\":{}}", "\"\"", "1.5"), "type flipped");
  }

  /** Replaces the value of a random field (at any depth) of a JSON object body. */
  private static Req replaceValue(Req r, Random random, String json, String what) {
    try {
      JsonNode root = JSON.readTree(r.body());
      List<ObjectNode> objects = new ArrayList<>();
      collect(root, objects);
      if (objects.isEmpty()) {
        return body(r, json.getBytes(UTF_8), what + " (whole body)");
      }
      ObjectNode o = objects.get(random.nextInt(objects.size()));
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.isEmpty() ? "Name" : names.get(random.nextInt(names.size()));
      // Written by hand: the value may be a number Jackson would round or refuse.
      o.put(name, "\u0000MARK\u0000");
      String text = JSON.writeValueAsString(root).replace("\"\\u0000MARK\\u0000\"", json);
      return body(r, text.getBytes(UTF_8), what + " in " + name);
    } catch (IOException | RuntimeException notJson) {
      return body(r, json.getBytes(UTF_8), what + " (whole body)");
    }
  }

  private static Req addField(Req r, Random random) {
    try {
      JsonNode root = JSON.readTree(r.body());
      if (!(root instanceof ObjectNode o)) {
        return r.with("no object for an unknown field");
      }
      String name = pick(random, "Bogus", "ID", "CreateIndex", "Precedence", "SourceType",
          "Meta", "Permissions", "Legacy", "Hash", "Datacenter", "Namespace", "");
      o.set(name, JSON.readTree(pick(random, "1", "\"x\"", "{}", "[]", "null", "true")));
      return body(r, JSON.writeValueAsBytes(o), "unknown field " + name);
    } catch (IOException | RuntimeException notJson) {
      return r.with("no object for an unknown field");
    }
  }

  private static void collect(JsonNode n, List<ObjectNode> out) {
    if (n instanceof ObjectNode o) {
      out.add(o);
    }
    if (n != null && n.isContainerNode()) {
      n.elements().forEachRemaining(c -> collect(c, out));
    }
  }

  private static Req mutateHeaders(Req r, Random random) {
    Map<String, String> h = new LinkedHashMap<>(r.headers());
    String what;
    switch (random.nextInt(6)) {
      case 0 -> {
        String v = pick(random, "", " ", "x".repeat(5000), "00000000-0000-0000-0000-000000000000",
            "anonymous", "ünïcode", "a\u0001b", "\"quoted\"", "%zz");
        h.put("X-Consul-Token", v);
        what = "X-Consul-Token " + printable(v);
      }
      case 1 -> {
        String v = pick(random, "Bearer", "Bearer ", "Bearer  x", "Basic dXNlcjpwYXNz",
            "bearer lower", "Bearer " + "y".repeat(3000));
        h.put("Authorization", v);
        what = "Authorization " + printable(v);
      }
      case 2 -> {
        h.put("Content-Type", pick(random, "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=latin1"));
        what = "Content-Type";
      }
      case 3 -> {
        // A Content-Length longer than the body sent, then the client stops writing.
        return new Req(r.method(), r.target(), h, r.body(), true,
            r.what() + " / Content-Length longer than the body");
      }
      case 4 -> {
        h.put("Transfer-Encoding", pick(random, "chunked", "gzip", "identity, chunked"));
        what = "Transfer-Encoding " + h.get("Transfer-Encoding");
      }
      default -> {
        h.put("X-Consul-" + "Q".repeat(random.nextInt(100)), "x".repeat(random.nextInt(30_000)));
        what = "an odd long header";
      }
    }
    return new Req(r.method(), r.target(), h, r.body(), r.lieLonger(), r.what() + " / " + what);
  }

  private static Req mutatePath(Req r, Random random) {
    int q = r.target().indexOf('?');
    String path = q < 0 ? r.target() : r.target().substring(0, q);
    String query = q < 0 ? "" : r.target().substring(q);
    String insert = pick(random, "%zz", "%", "%4", "%c3%28", "%00", "%ff", "..", "/../..",
        "%2e%2e/", "//", "/", "x".repeat(1 + random.nextInt(20_000)), "\u0001", "%0a", "%0d%0a",
        "%20", "ü", "%C3%BC", "*", "%2F", ";x=1", "#frag", "\t");
    String mutated = random.nextBoolean() ? path + insert
        : path.substring(0, random.nextInt(path.length() + 1)) + insert;
    return new Req(r.method(), mutated + query, r.headers(), r.body(), r.lieLonger(),
        r.what() + " / path " + printable(mutated + query));
  }

  private static Req mutateQuery(Req r, Random random) {
    String name = pick(random, "index", "wait", "pretty", "token", "pem", "by", "name", "source",
        "destination", "filter", "dc", "ns", "cached", "stale", "consistent");
    String value = pick(random, "", "abc", "-1", "0", "1", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "1.5", "1s", "-5s", "10000h", "1e9",
        "9223372036854775807ns", "%zz", "%", "%00", "\u0001", "*", "x".repeat(2000), "1ms",
        "0.5s", "5m", "true", "spiffe://x");
    String target = r.target() + (r.target().contains("?") ? "&" : "?") + name + "=" + value;
    return new Req(r.method(), target, r.headers(), r.body(), r.lieLonger(),
        r.what() + " / query " + printable(name + "=" + value));
  }

  private static Req mutateMethod(Req r, Random random) {
    String m = pick(random, "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
        "BREW", "get");
    return new Req(m, r.target(), r.headers(), r.body(), r.lieLonger(), r.what() + " / " + m);
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : (s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + ")" : s)
        .toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  // --- the wire -------------------------------------------------------------------------------

  /** Sends one request on a new connection and checks the reply. */
  private static int check(AgentFixture f, Req r, String context) throws IOException {
    byte[] reply = exchange(f, r, context);
    if (reply.length == 0) {
      if (r.lieLonger()) {
        return 0; // The request never ended: closing without an answer is all a server can do.
      }
      fail("%s: the connection closed without a status", context);
    }
    String text = new String(reply, ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    assertThat(end).as("%s: no end of headers in %s", context, printable(text)).isPositive();
    String head = text.substring(0, end);
    assertThat(head).as(context).startsWith("HTTP/1.1 ");
    int status = Integer.parseInt(head.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : head.substring(head.indexOf("\r\n") + 2).split("\r\n")) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).toLowerCase(java.util.Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    byte[] body = java.util.Arrays.copyOfRange(reply, end + 4, reply.length);
    String length = headers.get("content-length");
    assertThat(length).as("%s: no Content-Length in %s", context, head).isNotNull();
    int declared = Integer.parseInt(length);
    boolean head_ = r.method().equals("HEAD");
    assertThat(body.length).as("%s: a torn body (Content-Length %s)", context, declared)
        .isGreaterThanOrEqualTo(head_ ? 0 : declared);
    String bodyText = new String(body, 0, head_ ? 0 : declared, UTF_8);
    assertThat(status).as("%s: %s", context, bodyText).isLessThan(500);
    String type = headers.getOrDefault("content-type", "");
    if (status >= 400 && status != 404 && !head_) {
      assertThat(bodyText).as("%s: the error reply has no message", context)
          .isNotBlank().doesNotContain("\tat ").doesNotContain("Exception:");
      assertThat(type).as(context).matches("text/plain.*|application/json.*");
    }
    if (status < 300 && type.startsWith("application/json") && !head_ && declared > 0) {
      try {
        JSON.readTree(bodyText);
      } catch (IOException e) {
        fail("%s: a %d reply that is not JSON: %s", context, status, printable(bodyText));
      }
    }
    return status;
  }

  /**
   * Writes the request with {@code Connection: close} and reads to the end. A blocking query
   * that waits is released by moving the fake time past any wait.
   */
  private static byte[] exchange(AgentFixture f, Req r, String context) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes((r.method() + " " + r.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n").getBytes(UTF_8));
    boolean chunked = r.headers().keySet().stream().anyMatch("Transfer-Encoding"::equals);
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      wire.writeBytes((h.getKey() + ": " + h.getValue() + "\r\n").getBytes(UTF_8));
    }
    if (!chunked) {
      wire.writeBytes(("Content-Length: " + (r.body().length + (r.lieLonger() ? 17 : 0))
          + "\r\n").getBytes(UTF_8));
    }
    wire.writeBytes("\r\n".getBytes(UTF_8));
    if (chunked) {
      wire.writeBytes((Integer.toHexString(r.body().length) + "\r\n").getBytes(UTF_8));
      wire.writeBytes(r.body());
      wire.writeBytes("\r\n0\r\n\r\n".getBytes(UTF_8));
    } else {
      wire.writeBytes(r.body());
    }
    long deadline = System.nanoTime() + PER_REQUEST.toNanos();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.address().getPort())) {
      s.setSoTimeout(100);
      try {
        s.getOutputStream().write(wire.toByteArray());
        s.getOutputStream().flush();
        if (r.lieLonger()) {
          s.shutdownOutput();
        }
      } catch (IOException e) {
        // The server answered and closed before reading all of it (a 413, say): read that.
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (true) {
        try {
          int n = in.read(buf);
          if (n < 0) {
            return out.toByteArray();
          }
          out.write(buf, 0, n);
        } catch (SocketTimeoutException quiet) {
          if (System.nanoTime() > deadline) {
            fail("%s: no reply within %s (waiting queries: %d)", context, PER_REQUEST,
                f.server.waitingQueries());
          }
          if (f.server.waitingQueries() > 0 || f.scheduler.pending() > 0) {
            f.scheduler.advance(Duration.ofMinutes(11));
          }
        } catch (IOException reset) {
          fail("%s: %s after %d bytes", context, reset, out.size());
        }
      }
    }
  }
}
