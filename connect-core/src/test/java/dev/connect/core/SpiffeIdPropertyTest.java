package dev.connect.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random inputs for {@link SpiffeId#parse}: random strings, mutations of valid IDs and
 * valid IDs built with {@link SpiffeId#of}.
 *
 * <p>Every failure message names the seed and the iteration; rerun one with {@code
 * -Dconnect.fuzz.seed=<seed>}. Each test is guarded by a timeout against hangs only; it runs in
 * well under a second.
 */
class SpiffeIdPropertyTest {
  private static final long SEED = Long.getLong("connect.fuzz.seed", 0x5EED_C0DE_2026L);
  private static final int ITERATIONS = 20_000;

  /** Tokens to build inputs from, weighted towards the characters the rules are about. */
  private static final String[] TOKENS = {
      "a", "z", "m", "0", "9", ".", "-", "_", "/", "/", "/", "//", ".", "..",
      "A", "Z", "S", ":", "@", "?", "#", "%", "%2F", "%2e", " ", "\t", "\n", "\u0000",
      "\u007f", "\u0085", "\u2028", "\u202e", "\u200b", "\\", "\"", "+", "~", "!", "[", "]",
      "=", "&",
      "\u00e9", "\u00df", "\uD83D\uDE00", "\uD83D", "\uDE00", "\uFEFF", "\u0130", "\u212A",
      "spiffe", "SPIFFE", "://", ":/", "spiffe://", "consul", "ns", "dc", "svc", "default",
  };
  private static final String TD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
  private static final String PATH_CHARS = TD_CHARS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final Pattern TD = Pattern.compile("[a-z0-9._-]{1,255}");
  private static final Pattern SEGMENT = Pattern.compile("[a-zA-Z0-9._-]+");

  private static final List<String> VALID_SEEDS = List.of(
      "spiffe://" + Samples.TRUST_DOMAIN_A + "/ns/default/dc/dc1/svc/web",
      "spiffe://" + Samples.TRUST_DOMAIN_B + "/ns/default/dc/dc1/svc/api",
      "spiffe://" + Samples.TRUST_DOMAIN_D,
      "spiffe://" + Samples.TRUST_DOMAIN_A
          + "/agent/client/dc/dc1/id/11111111-2222-3333-4444-555555555555",
      "spiffe://" + Samples.TRUST_DOMAIN_E + "/ap/part1/ns/default/dc/dc1/svc/web",
      "spiffe://example.org/a/b/c");

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void randomStringsParseToThemselvesOrThrowTheDocumentedException() {
    Random random = new Random(SEED);
    int accepted = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      String input = randomString(random);
      if (check(input, i)) {
        accepted++;
      }
    }
    // Guards the generator: it must reach both outcomes to be testing anything.
    assertThat(accepted).as("seed=%d: valid inputs generated", SEED).isPositive();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void mutatedValidIdsParseToThemselvesOrThrowTheDocumentedException() {
    Random random = new Random(SEED);
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      String input = VALID_SEEDS.get(random.nextInt(VALID_SEEDS.size()));
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        input = mutate(random, input);
      }
      if (check(input, i)) {
        accepted++;
      } else {
        rejected++;
      }
    }
    assertThat(accepted).as("seed=%d: valid mutants", SEED).isGreaterThan(ITERATIONS / 20);
    assertThat(rejected).as("seed=%d: invalid mutants", SEED).isGreaterThan(ITERATIONS / 20);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void idsBuiltWithOfParseBackToThemselves() {
    Random random = new Random(SEED);
    int tooLong = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      String trustDomain = randomFrom(random, TD_CHARS,
          1 + random.nextInt(random.nextInt(10) == 0 ? 255 : 30));
      List<String> segments = new ArrayList<>();
      int count = random.nextInt(random.nextInt(10) == 0 ? 300 : 8);
      for (int s = 0; s < count; s++) {
        String segment;
        do {
          segment = randomFrom(random, PATH_CHARS, 1 + random.nextInt(12));
        } while (segment.equals(".") || segment.equals(".."));
        segments.add(segment);
      }
      String expected = "spiffe://" + trustDomain
          + (segments.isEmpty() ? "" : "/" + String.join("/", segments));
      int iteration = i;
      Supplier<String> context = () -> context(iteration, expected);
      SpiffeId x;
      try {
        x = SpiffeId.of(trustDomain, segments.toArray(new String[0]));
      } catch (InvalidSpiffeIdException e) {
        require(expected.length() > SpiffeId.MAX_LENGTH, context, "rejected: " + e.getMessage());
        require(e.rule().startsWith("longer than 2048 bytes"), context, "rule " + e.rule());
        tooLong++;
        continue;
      }
      require(expected.length() <= SpiffeId.MAX_LENGTH, context, "accepted though too long");
      require(x.toString().equals(expected), context, "of(...).toString() is " + x);
      SpiffeId parsed = SpiffeId.parse(x.toString());
      require(parsed.equals(x) && parsed.hashCode() == x.hashCode(), context,
          "parse(x.toString()) differs from x");
      require(x.trustDomain().equals(trustDomain), context, "trust domain " + x.trustDomain());
      require(x.segments().equals(segments), context, "segments " + x.segments());
    }
    assertThat(tooLong).as("seed=%d: over-long IDs generated", SEED).isPositive();
  }

  /**
   * Checks one input against the properties; returns whether it was accepted.
   */
  private static boolean check(String input, int iteration) {
    Supplier<String> context = () -> context(iteration, input);
    SpiffeId id;
    try {
      id = SpiffeId.parse(input);
    } catch (InvalidSpiffeIdException e) {
      require(!oracleAccepts(input), context,
          "rejected with \"" + e.rule() + "\" but the reference check accepts it");
      require(e.input().equals(input), context, "input() is " + e.input());
      require(!e.rule().isBlank() && e.getMessage().endsWith(e.rule()), context,
          "message " + e.getMessage());
      require(e.getMessage().chars().noneMatch(c -> Character.isISOControl(c)
              || Character.getType(c) == Character.FORMAT || c == '\u2028' || c == '\u2029'),
          context, "message carries a control or format character or a line break");
      return false;
    } catch (RuntimeException e) {
      throw new AssertionError(context.get() + ": threw " + e + " instead of"
          + " InvalidSpiffeIdException", e);
    }
    require(oracleAccepts(input), context, "accepted but the reference check rejects it");
    require(id.toString().equals(input), context, "toString() is " + id);
    SpiffeId again = SpiffeId.parse(id.toString());
    require(again.equals(id) && again.hashCode() == id.hashCode(), context,
        "parse(id.toString()) differs from id");
    require(id.toUri().toString().equals(input), context, "toUri() is " + id.toUri());
    require(SpiffeId.of(id.trustDomain(), id.segments().toArray(new String[0])).equals(id),
        context, "of(trustDomain(), segments()) differs from id");
    checkConnectForm(id, context);
    return true;
  }

  /** A valid SPIFFE ID is a Connect identity or rejected with the documented exception. */
  private static void checkConnectForm(SpiffeId id, Supplier<String> context) {
    ConnectId connect;
    try {
      connect = ConnectId.from(id);
    } catch (InvalidSpiffeIdException e) {
      require(!e.rule().isBlank(), context, "blank rule");
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(context.get() + ": ConnectId.from threw " + e, e);
    }
    require(ConnectId.parse(connect.spiffeId().toString()).equals(connect), context,
        "ConnectId does not survive a round trip: " + connect);
    require(connect.trustDomain().equals(id.trustDomain()), context, "trust domain changed");
  }

  /** Fails with the seed, iteration and input unless {@code ok}; cheap when it holds. */
  private static void require(boolean ok, Supplier<String> context, String what) {
    if (!ok) {
      throw new AssertionError(context.get() + ": " + what);
    }
  }

  /**
   * The SPIFFE ID rules, written independently of {@link SpiffeId}: split on '/', then check
   * each part against a regular expression.
   */
  private static boolean oracleAccepts(String s) {
    if (s.getBytes(UTF_8).length > SpiffeId.MAX_LENGTH || !s.startsWith("spiffe://")) {
      return false;
    }
    String[] parts = s.substring("spiffe://".length()).split("/", -1);
    if (!TD.matcher(parts[0]).matches()) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      if (!SEGMENT.matcher(parts[i]).matches() || parts[i].equals(".")
          || parts[i].equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static String randomString(Random random) {
    StringBuilder out = new StringBuilder();
    if (random.nextInt(3) > 0) {
      out.append("spiffe://");
    }
    int tokens = random.nextInt(random.nextInt(50) == 0 ? 1200 : 16);
    for (int t = 0; t < tokens; t++) {
      // Half the time a plain valid character, so that valid IDs do come up.
      out.append(random.nextBoolean() ? String.valueOf(PATH_CHARS.charAt(
          random.nextInt(PATH_CHARS.length()))).toLowerCase() : token(random));
    }
    return out.toString();
  }

  private static String mutate(Random random, String s) {
    int at = s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
    switch (random.nextInt(12)) {
      case 0:
        return s.substring(0, at) + token(random) + s.substring(at);
      case 1:
        return at < s.length() ? s.substring(0, at) + s.substring(at + 1) : s;
      case 2:
        return at < s.length() ? s.substring(0, at) + token(random) + s.substring(at + 1) : s;
      case 3: {
        if (at >= s.length()) {
          return s;
        }
        char c = s.charAt(at);
        char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c)
            : Character.toUpperCase(c);
        return s.substring(0, at) + flipped + s.substring(at + 1);
      }
      case 4: {
        int slash = s.indexOf('/', at);
        return slash < 0 ? s : s.substring(0, slash) + "/" + s.substring(slash);
      }
      case 5:
        return s + (random.nextBoolean() ? "/." : "/..");
      case 6:
        return s + "/";
      case 7:
        return s.substring(0, at);
      case 8: {
        // Walk across the 2048-byte limit, in one- or multi-byte characters.
        String pad = random.nextBoolean() ? "x" : "\u00e9";
        int target = SpiffeId.MAX_LENGTH - 3 + random.nextInt(6);
        StringBuilder out = new StringBuilder(s).append('/');
        int bytes = (s + "/").getBytes(UTF_8).length;
        while (bytes < target) {
          String next = random.nextInt(20) == 0 ? pad : "y";
          out.append(next);
          bytes += next.getBytes(UTF_8).length;
        }
        return out.toString();
      }
      case 9:
        return s.replaceFirst("/", random.nextBoolean() ? "/./" : "/../");
      case 10:
        return s.substring(0, at) + randomFrom(random, PATH_CHARS, 1 + random.nextInt(4))
            + s.substring(at);
      default:
        return s.replace("spiffe://", random.nextBoolean() ? "spiffe:/" : "spiffe://x@");
    }
  }

  private static String token(Random random) {
    return TOKENS[random.nextInt(TOKENS.length)];
  }

  private static String randomFrom(Random random, String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private static String context(int iteration, String input) {
    StringBuilder shown = new StringBuilder();
    for (char c : input.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        shown.append(String.format("\\u%04x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return "seed=" + SEED + " iteration=" + iteration + " input=\"" + shown + "\"";
  }

  @Test
  void referenceCheckAgreesWithHandPickedCases() {
    // The oracle is test code too: pin it so that a broken oracle cannot hide a broken parser.
    assertThat(oracleAccepts("spiffe://td/a")).isTrue();
    assertThat(oracleAccepts("spiffe://td")).isTrue();
    assertThat(oracleAccepts("spiffe://td/")).isFalse();
    assertThat(oracleAccepts("spiffe://td/./a")).isFalse();
    assertThat(oracleAccepts("spiffe://Td/a")).isFalse();
    assertThat(oracleAccepts("spiffe://td/" + "\u00e9")).isFalse();
    assertThat(oracleAccepts("spiffe://td/" + "x".repeat(2036))).isTrue();
    assertThat(oracleAccepts("spiffe://td/" + "x".repeat(2037))).isFalse();
    assertThat(oracleAccepts("spiffe://td/A")).isTrue();
  }
}
