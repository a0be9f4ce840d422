package dev.connect.examples;

import static dev.connect.examples.Repository.all;
import static dev.connect.examples.Repository.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Issue 11: {@code mvn install} published no {@code -sources} or {@code -javadoc} jars, so IDEs
 * showed neither the sources nor the Javadoc of the library. Every module the BOM publishes must
 * attach both in the {@code package} phase (so {@code install} and {@code deploy} publish them);
 * connect-bench and connect-examples, which are not published, must not spend time on them.
 */
class SourcesAndJavadocJarsTest {
  private static final Set<String> UNPUBLISHED = Set.of("connect-bench", "connect-examples",
      "connect-it", "connect-peers");
  private static final Set<String> BY_PACKAGE = Set.of("", "prepare-package", "package");

  @Test
  void theParentAttachesSourcesAndJavadocJarsByThePackagePhase() throws IOException {
    Element root = Repository.pom("pom.xml").getDocumentElement();
    assertThat(boundGoals(root, "maven-source-plugin")).containsAnyOf("jar-no-fork", "jar");
    assertThat(boundGoals(root, "maven-javadoc-plugin")).contains("jar");
    assertThat(managedVersion(root, "maven-source-plugin")).isNotEmpty();
    assertThat(managedVersion(root, "maven-javadoc-plugin")).isNotEmpty();
  }

  @Test
  void everyPublishedModuleKeepsThemAndOnlyTheUnpublishedSkipThem() throws IOException {
    Element root = Repository.pom("pom.xml").getDocumentElement();
    List<String> wrong = new ArrayList<>();
    List<String> published = new ArrayList<>();
    for (Element module : all(root, "modules/module")) {
      Element pom = Repository.pom(module.getTextContent().trim() + "/pom.xml")
          .getDocumentElement();
      String artifactId = text(pom, "artifactId");
      if (text(pom, "packaging").equals("pom")) {
        continue;   // connect-bom: nothing to document
      }
      boolean skipsSources = text(pom, "properties/maven.source.skip").equals("true");
      boolean skipsJavadoc = text(pom, "properties/maven.javadoc.skip").equals("true");
      boolean mayOverride = !all(pom, "build/plugins/plugin").stream()
          .filter(p -> text(p, "artifactId").matches("maven-(source|javadoc)-plugin"))
          .toList().isEmpty();
      if (UNPUBLISHED.contains(artifactId)) {
        if (!skipsSources || !skipsJavadoc) {
          wrong.add(artifactId + " is not published but builds -sources or -javadoc jars");
        }
      } else {
        published.add(artifactId);
        if (skipsSources || skipsJavadoc || mayOverride) {
          wrong.add(artifactId + " is published but skips or reconfigures its -sources or"
              + " -javadoc jar");
        }
      }
    }
    assertThat(published).contains("connect-core", "connect-ca", "connect-server",
        "connect-cache", "connect-tls", "connect-agent", "connect-test", "connect-cli");
    assertThat(wrong).isEmpty();
  }

  private static List<String> boundGoals(Element root, String artifactId) {
    List<String> goals = new ArrayList<>();
    for (Element plugin : all(root, "build/plugins/plugin")) {
      if (!text(plugin, "artifactId").equals(artifactId)) {
        continue;
      }
      assertThat(text(plugin, "configuration/skip")).as(artifactId + " skip").isNotEqualTo("true");
      for (Element execution : all(plugin, "executions/execution")) {
        assertThat(BY_PACKAGE).as(artifactId + " bound after package would miss install")
            .contains(text(execution, "phase"));
        for (Element goal : all(execution, "goals/goal")) {
          goals.add(goal.getTextContent().trim());
        }
      }
    }
    return goals;
  }

  private static String managedVersion(Element root, String artifactId) {
    for (Element plugin : all(root, "build/pluginManagement/plugins/plugin")) {
      if (text(plugin, "artifactId").equals(artifactId)) {
        return text(plugin, "version");
      }
    }
    return "";
  }
}
