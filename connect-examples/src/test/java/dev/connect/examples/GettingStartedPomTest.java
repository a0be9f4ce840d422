package dev.connect.examples;

import static dev.connect.examples.Repository.all;
import static dev.connect.examples.Repository.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Issue 11: the getting-started POM did not set the Java release, so Maven 3.8 failed with
 * "Source option 5 is no longer supported" (its default compiler plugin, 3.1, also ignores
 * {@code maven.compiler.release}, so the plugin version matters too). The snippet must also name
 * only artifacts this reactor builds and installs, at this version; and the guide must describe
 * the fixtures where they are, in {@code connect-test}.
 */
class GettingStartedPomTest {
  private static final Pattern XML_BLOCK = Pattern.compile("(?ms)^```xml\\n(.*?)^```");

  @Test
  void theSnippetSetsTheProjectsJavaRelease() throws IOException {
    Element pom = snippet();
    String ours = text(Repository.pom("pom.xml").getDocumentElement(),
        "properties/maven.compiler.release");
    assertThat(ours).isEqualTo("17");
    assertThat(text(pom, "properties/maven.compiler.release"))
        .as("maven.compiler.release in the getting-started POM").isEqualTo(ours);
  }

  @Test
  void theSnippetPinsPluginsThatHonourTheReleaseAndRunJUnit5() throws IOException {
    Element pom = snippet();
    // release appeared in maven-compiler-plugin 3.6; JUnit Platform support in Surefire 2.22.0.
    assertThat(pluginVersion(pom, "maven-compiler-plugin")).as("maven-compiler-plugin")
        .satisfies(v -> assertThat(atLeast(v, 3, 6, 0)).as(v + " >= 3.6.0").isTrue());
    assertThat(pluginVersion(pom, "maven-surefire-plugin")).as("maven-surefire-plugin")
        .satisfies(v -> assertThat(atLeast(v, 2, 22, 0)).as(v + " >= 2.22.0").isTrue());
  }

  @Test
  void theSnippetImportsThisVersionsBomAndDependsOnlyOnWhatItManages() throws IOException {
    Element pom = snippet();
    Element root = Repository.pom("pom.xml").getDocumentElement();
    String version = text(root, "version");

    List<Element> imports = all(pom, "dependencyManagement/dependencies/dependency");
    assertThat(imports).hasSize(1);
    Element bom = imports.get(0);
    assertThat(List.of(text(bom, "groupId"), text(bom, "artifactId"), text(bom, "version"),
        text(bom, "type"), text(bom, "scope")))
        .containsExactly("dev.connect", "connect-bom", version, "pom", "import");

    Set<String> managed = bomArtifacts();
    List<String> named = new ArrayList<>();
    for (Element dependency : all(pom, "dependencies/dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.connect");
      assertThat(text(dependency, "version")).as("a version the BOM already gives").isEmpty();
      named.add(text(dependency, "artifactId"));
    }
    assertThat(named).contains("connect-agent", "connect-test");
    assertThat(managed).containsAll(named);
  }

  @Test
  void theBomManagesOnlyModulesTheReactorBuildsAndInstalls() throws IOException {
    Set<String> installed = new LinkedHashSet<>();
    for (Element module : all(Repository.pom("pom.xml").getDocumentElement(), "modules/module")) {
      Element pom = Repository.pom(module.getTextContent().trim() + "/pom.xml")
          .getDocumentElement();
      if (!text(pom, "properties/maven.install.skip").equals("true")) {
        installed.add(text(pom, "artifactId"));
      }
    }
    assertThat(installed).contains("connect-bom", "connect-agent", "connect-test")
        .doesNotContain("connect-examples");
    assertThat(installed).containsAll(bomArtifacts());
  }

  @Test
  void everyConnectArtifactAGuideNamesIsOneTheBomManages() throws IOException {
    Set<String> managed = bomArtifacts();
    managed.add("connect-bom");
    List<String> unknown = new ArrayList<>();
    Pattern artifact = Pattern.compile("<artifactId>(connect-[^<]*)</artifactId>");
    for (var file : Repository.markdownFiles()) {
      Matcher block = XML_BLOCK.matcher(Files.readString(file));
      while (block.find()) {
        Matcher m = artifact.matcher(block.group(1));
        while (m.find()) {
          if (!managed.contains(m.group(1))) {
            unknown.add(Repository.root().relativize(file) + ": " + m.group(1));
          }
        }
      }
    }
    assertThat(unknown).as("artifacts no one can depend on").isEmpty();
  }

  @Test
  void theTestingSectionNamesFixturesConnectTestShips() throws IOException {
    String guide = Files.readString(Repository.root().resolve("docs/getting-started.md"));
    int start = guide.indexOf("## 7. Testing");
    assertThat(start).as("the Testing section").isNotNegative();
    String section = guide.substring(start, guide.indexOf("\n## ", start + 1));
    assertThat(section).doesNotContainIgnoringCase("being moved")
        .contains("connect-test", "testing.md");
    Matcher type = Pattern.compile("`([A-Z][A-Za-z]+)`").matcher(section);
    List<String> types = new ArrayList<>();
    while (type.find()) {
      types.add(type.group(1));
    }
    assertThat(types).contains("ConnectExtension", "FakeTime", "FakeScheduler",
        "ConnectAssertions");
    for (String name : types) {
      assertThat(exists("dev.connect.test." + name) || exists("dev.connect.testkit." + name))
          .as("dev.connect.test(kit)." + name).isTrue();
    }
  }

  /** The getting-started POM: the guide's first XML block that is a whole project. */
  static Element snippet() throws IOException {
    String guide = Files.readString(Repository.root().resolve("docs/getting-started.md"));
    Matcher block = XML_BLOCK.matcher(guide);
    while (block.find()) {
      if (block.group(1).stripLeading().startsWith("<project")) {
        return Repository.parseXml(new ByteArrayInputStream(block.group(1).getBytes(UTF_8)))
            .getDocumentElement();
      }
    }
    throw new AssertionError("docs/getting-started.md has no XML block with a whole <project>");
  }

  private static Set<String> bomArtifacts() throws IOException {
    Set<String> artifacts = new LinkedHashSet<>();
    Element bom = Repository.pom("connect-bom/pom.xml").getDocumentElement();
    for (Element d : all(bom, "dependencyManagement/dependencies/dependency")) {
      if (text(d, "groupId").equals("dev.connect")) {
        artifacts.add(text(d, "artifactId"));
      }
    }
    return artifacts;
  }

  private static String pluginVersion(Element pom, String artifactId) {
    for (Element plugin : all(pom, "build/plugins/plugin")) {
      if (text(plugin, "artifactId").equals(artifactId)) {
        return text(plugin, "version");
      }
    }
    return "";
  }

  private static boolean atLeast(String version, int... minimum) {
    String[] parts = version.split("[.-]");
    for (int i = 0; i < minimum.length; i++) {
      int part = i < parts.length && parts[i].matches("\\d+") ? Integer.parseInt(parts[i]) : 0;
      if (part != minimum[i]) {
        return part > minimum[i];
      }
    }
    return true;
  }

  private static boolean exists(String className) {
    try {
      Class.forName(className, false, GettingStartedPomTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
