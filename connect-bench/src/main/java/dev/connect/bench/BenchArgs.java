package dev.connect.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code name=value} arguments of the harness mains, over their defaults. */
final class BenchArgs {
  private BenchArgs() {}

  /**
   * Returns {@code defaults} with {@code args} applied, in the defaults' order.
   *
   * @throws IllegalArgumentException naming an argument that is not {@code name=value} or whose
   *     name has no default
   */
  static Map<String, String> parse(String[] args, Map<String, String> defaults) {
    Map<String, String> settings = new LinkedHashMap<>(defaults);
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2 || !settings.containsKey(kv[0])) {
        throw new IllegalArgumentException("expected one of " + settings.keySet()
            + " as name=value, got: " + arg);
      }
      settings.put(kv[0], kv[1]);
    }
    return settings;
  }

  /**
   * Returns setting {@code name} as a positive integer.
   *
   * @throws IllegalArgumentException naming the setting and its value otherwise
   */
  static int positive(Map<String, String> settings, String name) {
    String value = settings.get(name);
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a positive integer: " + value);
  }

  /**
   * Returns the JVM options for a forked {@code connect agent} from the system property {@code
   * bench.agentJvmArgs} (split on white space), none if it is unset; for instance {@code
   * -Dbench.agentJvmArgs="-XX:StartFlightRecording=filename=agent.jfr"} profiles the agent.
   */
  static List<String> agentJvmArgs() {
    String args = System.getProperty("bench.agentJvmArgs", "").strip();
    return args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
  }
}
