package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: the README linked to {@code ../shared/ARCHITECTURE.md} and {@code ../shared/STYLE.md},
 * files outside the repository that a reader of a clone does not have. Every relative link in
 * every Markdown file must name a file in the repository, and every {@code #anchor} a heading of
 * the file it points into (GitHub's heading IDs).
 */
class GuideLinksTest {
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[ \\t]*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
  private static final Pattern INLINE_LINK =
      Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_LINK =
      Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+\"[^\"]*\")?\\s*$");
  private static final Pattern HEADING = Pattern.compile("(?m)^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  void everyRelativeLinkNamesAFileInTheRepository() throws IOException {
    Path root = Repository.root();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : Repository.markdownFiles()) {
      for (String link : links(Files.readString(file))) {
        String path = pathOf(link);
        if (path.isEmpty()) {
          continue;
        }
        checked++;
        Path target = file.getParent().resolve(decode(path)).normalize();
        if (!target.startsWith(root)) {
          broken.add(root.relativize(file) + ": " + link + " (outside the repository)");
        } else if (!Files.exists(target)) {
          broken.add(root.relativize(file) + ": " + link + " (no such file)");
        }
      }
    }
    assertThat(checked).as("relative links found").isGreaterThan(50);
    assertThat(broken).as("links to files that are not in the repository").isEmpty();
  }

  @Test
  void everyAnchorNamesAHeadingOfItsFile() throws IOException {
    Path root = Repository.root();
    Map<Path, Set<String>> headings = new HashMap<>();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : Repository.markdownFiles()) {
      for (String link : links(Files.readString(file))) {
        int hash = link.indexOf('#');
        if (hash < 0) {
          continue;
        }
        String path = pathOf(link);
        Path target = path.isEmpty() ? file : file.getParent().resolve(decode(path)).normalize();
        if (!target.toString().endsWith(".md") || !target.startsWith(root)
            || !Files.isRegularFile(target)) {
          continue;   // a missing file is the other test's failure
        }
        checked++;
        String anchor = decode(link.substring(hash + 1));
        Set<String> ids = headings.computeIfAbsent(target, GuideLinksTest::headingIds);
        if (!ids.contains(anchor)) {
          broken.add(root.relativize(file) + ": " + link + " (headings of "
              + root.relativize(target) + ": " + ids + ")");
        }
      }
    }
    assertThat(checked).as("anchors found").isGreaterThan(5);
    assertThat(broken).as("anchors that name no heading").isEmpty();
  }

  @Test
  void headingIdsFollowGitHub() {
    assertThat(headingIds("# Connect for Java\n## 1. Build\n## The `connect` command\n"
        + "## What is *not* protected?\n## Build\n## Build\n```\n# not a heading\n```\n"))
        .containsExactly("connect-for-java", "1-build", "the-connect-command",
            "what-is-not-protected", "build", "build-1");
  }

  @Test
  void linksInCodeAreNotLinks() {
    assertThat(links("[a](docs/a.md) `[b](b.md)`\n```\n[c](c.md)\n```\n[d]: d.md#x\n"
        + "[e](https://example.com/e.md)"))
        .containsExactly("docs/a.md", "https://example.com/e.md", "d.md#x");
  }

  /** Every link target of a Markdown text, outside code. */
  static List<String> links(String markdown) {
    String text = CODE_SPAN.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    List<String> found = new ArrayList<>();
    Matcher inline = INLINE_LINK.matcher(text);
    while (inline.find()) {
      found.add(inline.group(1));
    }
    Matcher reference = REFERENCE_LINK.matcher(text);
    while (reference.find()) {
      found.add(reference.group(1));
    }
    return found;
  }

  /** The path part of a relative link, "" for an absolute URL or an anchor in the same file. */
  private static String pathOf(String link) {
    if (SCHEME.matcher(link).find() || link.startsWith("//")) {
      return "";
    }
    int hash = link.indexOf('#');
    String path = hash < 0 ? link : link.substring(0, hash);
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), UTF_8);
  }

  private static Set<String> headingIds(Path file) {
    try {
      return headingIds(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GitHub's IDs of the headings of a Markdown text, in order. */
  static Set<String> headingIds(String markdown) {
    Set<String> ids = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
    while (m.find()) {
      String text = m.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
      String id = text.toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N}\\p{Mn}\\p{Pc} -]", "")
          .replace(' ', '-');
      int n = seen.merge(id, 1, Integer::sum);
      ids.add(n == 1 ? id : id + "-" + (n - 1));
    }
    return ids;
  }
}
