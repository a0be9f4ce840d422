package dev.connect.core;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Intentions, match results and authorize exchanges read from the recorded Consul 1.10.4
 * samples with regular expressions (connect-core has no JSON library; the files are
 * pretty-printed, one field per line).
 */
final class IntentionSamples {
  private static final Pattern MODIFY_INDEX = Pattern.compile("\"ModifyIndex\":\\s*\\d+");

  private IntentionSamples() {}

  /**
   * One intention as Consul returned it.
   *
   * @param action {@code allow} or {@code deny}, or empty for an L7 intention
   */
  record Recorded(String id, String sourceNs, String sourceName, String destinationNs,
      String destinationName, String action, String description, int precedence,
      long createIndex, long modifyIndex) {

    boolean isL7() {
      return action.isEmpty();
    }

    Intention toIntention() {
      if (isL7()) {
        fail("L7 intentions are not modelled: " + this);
      }
      Intention.Builder b = Intention.builder(IntentionTarget.of(sourceNs, sourceName),
          IntentionTarget.of(destinationNs, destinationName), IntentionAction.parse(action))
          .createIndex(createIndex).modifyIndex(modifyIndex);
      if (!id.isEmpty()) {
        b.id(id);
      }
      if (!description.isEmpty()) {
        b.description(description);
      }
      return b.build();
    }

    /** Returns {@code src => dst (precedence)}, the part of an intention match order shows. */
    String summary() {
      return sourceNs + "/" + sourceName + " => " + destinationNs + "/" + destinationName
          + " (" + precedence + ")";
    }
  }

  /** Returns the intentions in a recorded list or single-intention response, in order. */
  static List<Recorded> intentions(String file) {
    return parseIntentions(responseBody(file), file);
  }

  /** Returns the L4 intentions of a recorded list response as a set; L7 ones are left out. */
  static Intentions l4Set(String file) {
    return Intentions.of(intentions(file).stream().filter(r -> !r.isL7())
        .map(Recorded::toIntention).toList());
  }

  /** Returns a recorded {@code /match} response: each requested name and its intentions. */
  static Map<String, List<Recorded>> matches(String file) {
    String body = responseBody(file);
    List<String> names = queryAll(file, "name");
    Map<String, List<Recorded>> result = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String key = "\"" + names.get(i) + "\": [";
      int start = body.indexOf(key);
      if (start < 0) {
        fail("no key " + names.get(i) + " in " + file);
      }
      int end = i + 1 < names.size() ? body.indexOf("\"" + names.get(i + 1) + "\": [") : -1;
      result.put(names.get(i), parseIntentions(
          body.substring(start + key.length(), end < 0 ? body.length() : end), file));
    }
    return result;
  }

  /** Returns the HTTP status of a recorded response. */
  static int status(String file) {
    Matcher m = Pattern.compile("\"status\":\\s*(\\d+)").matcher(response(file));
    if (!m.find()) {
      fail("no status in " + file);
    }
    return Integer.parseInt(m.group(1));
  }

  /** Returns a string field of the request body, or empty when absent. */
  static String requestField(String file, String name) {
    String text = Samples.text(file);
    String request = text.substring(0, text.indexOf("\"response\":"));
    return stringField(request, name, "");
  }

  /** Returns a string field of the response body; fails when absent. */
  static String responseField(String file, String name) {
    String value = stringField(responseBody(file), name, null);
    if (value == null) {
      fail("no field " + name + " in the response of " + file);
    }
    return value;
  }

  /** Returns a boolean field of the response body; fails when absent. */
  static boolean responseBoolean(String file, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*(true|false)").matcher(responseBody(file));
    if (!m.find()) {
      fail("no boolean " + name + " in the response of " + file);
    }
    return Boolean.parseBoolean(m.group(1));
  }

  /** Returns a text (non-JSON) response body, such as {@code Bad request: ...}. */
  static String responseText(String file) {
    Matcher m = Pattern.compile("\"body\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
        .matcher(response(file));
    if (!m.find()) {
      fail("no text body in " + file);
    }
    return unescape(m.group(1));
  }

  /** Returns the value of a query parameter of the request path, or fails when absent. */
  static String query(String file, String param) {
    List<String> all = queryAll(file, param);
    if (all.isEmpty()) {
      fail("no query parameter " + param + " in " + file);
    }
    return all.get(0);
  }

  private static List<String> queryAll(String file, String param) {
    Matcher path = Pattern.compile("\"path\":\\s*\"([^\"]*)\"").matcher(Samples.text(file));
    if (!path.find()) {
      fail("no request path in " + file);
    }
    List<String> values = new ArrayList<>();
    Matcher m = Pattern.compile("[?&]" + param + "=([^&]*)").matcher(path.group(1));
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  private static List<Recorded> parseIntentions(String body, String file) {
    List<Recorded> result = new ArrayList<>();
    Matcher m = MODIFY_INDEX.matcher(body);
    int from = 0;
    while (m.find()) {
      String chunk = body.substring(from, m.end());
      from = m.end();
      boolean l7 = chunk.contains("\"Permissions\"");
      result.add(new Recorded(
          stringField(chunk, "ID", ""),
          stringField(chunk, "SourceNS", null),
          stringField(chunk, "SourceName", null),
          stringField(chunk, "DestinationNS", null),
          stringField(chunk, "DestinationName", null),
          l7 ? "" : stringField(chunk, "Action", null),
          stringField(chunk, "Description", ""),
          Integer.parseInt(number(chunk, "Precedence", file)),
          Long.parseLong(number(chunk, "CreateIndex", file)),
          Long.parseLong(number(chunk, "ModifyIndex", file))));
    }
    for (Recorded r : result) {
      if (r.sourceNs() == null || r.sourceName() == null || r.destinationNs() == null
          || r.destinationName() == null || r.action() == null) {
        fail("incomplete intention in " + file + ": " + r);
      }
    }
    return result;
  }

  private static String response(String file) {
    String text = Samples.text(file);
    return text.substring(text.indexOf("\"response\":"));
  }

  /** Returns the parsed body of the response, without {@code body_raw}. */
  private static String responseBody(String file) {
    String response = response(file);
    int start = response.indexOf("\"body\":");
    int end = response.indexOf("\"body_is_json\":");
    if (start < 0 || end < start) {
      fail("no response body in " + file);
    }
    return response.substring(start, end);
  }

  private static String stringField(String json, String name, String absent) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    return m.find() ? unescape(m.group(1)) : absent;
  }

  private static String number(String json, String name, String file) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*(\\d+)").matcher(json);
    if (!m.find()) {
      fail("no field " + name + " in " + file + ": " + json);
    }
    return m.group(1);
  }

  private static String unescape(String s) {
    return s.replace("\\\"", "\"").replace("\\n", "\n").replace("\\t", "\t")
        .replace("\\\\", "\\");
  }
}
