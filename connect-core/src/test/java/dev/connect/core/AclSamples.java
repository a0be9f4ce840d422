package dev.connect.core;

import dev.connect.core.internal.AclJsonReader;
import dev.connect.core.internal.HclNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The ACL exchanges recorded from Consul 1.10.4 (run B, {@code acl-*.json} in the samples), read
 * with the JSON reader under test; it reads whole recorded files, which tests it, too.
 */
final class AclSamples {
  private AclSamples() {}

  /** One policy text found in a sample, with the response Consul gave to the request. */
  record RulesSample(String file, String where, String rules, int status, String responseBody) {
    @Override
    public String toString() {
      return file + " " + where;
    }
  }

  /** Returns the parsed JSON of a sample file. */
  static HclNode json(String file) {
    return AclJsonReader.parse(Samples.text(file));
  }

  /** Returns the value at a path of object keys, or empty. */
  static Optional<HclNode> at(HclNode node, String... keys) {
    HclNode current = node;
    for (String key : keys) {
      HclNode next = null;
      for (HclNode.Entry e : current.entries()) {
        if (e.key().equals(key)) {
          next = e.value();
        }
      }
      if (next == null) {
        return Optional.empty();
      }
      current = next;
    }
    return Optional.of(current);
  }

  /** Returns the text of a string at a path; fails if absent. */
  static String string(HclNode node, String... keys) {
    return at(node, keys).map(HclNode::text).orElseThrow(
        () -> new AssertionError("no " + String.join(".", keys)));
  }

  /**
   * Returns every {@code Rules} text in the {@code acl-*.json} samples: in request bodies (with
   * the status Consul answered) and in response bodies (status 200, as Consul stored them).
   */
  static List<RulesSample> rulesTexts() {
    List<RulesSample> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Samples.dir())) {
      for (Path path : files.filter(p -> p.getFileName().toString().matches("acl-.*\\.json"))
          .sorted().toList()) {
        String name = path.getFileName().toString();
        HclNode root = json(name);
        int status = Integer.parseInt(at(root, "response", "status").orElseThrow().text());
        Optional<HclNode> body = at(root, "response", "body");
        String responseBody = body.filter(b -> b.kind() == HclNode.Kind.STRING)
            .map(HclNode::text).orElse("");
        at(root, "request", "body", "Rules").ifPresent(r ->
            out.add(new RulesSample(name, "request", r.text(), status, responseBody)));
        body.ifPresent(b -> collectResponseRules(name, b, out));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void collectResponseRules(String file, HclNode body, List<RulesSample> out) {
    if (body.kind() == HclNode.Kind.LIST) {
      for (HclNode item : body.items()) {
        collectResponseRules(file, item, out);
      }
    } else if (body.kind() == HclNode.Kind.OBJECT) {
      at(body, "Rules").ifPresent(r ->
          out.add(new RulesSample(file, "response", r.text(), 200, "")));
    }
  }
}
