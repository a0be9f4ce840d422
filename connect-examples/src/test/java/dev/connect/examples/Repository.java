package dev.connect.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The files of this repository, for tests of the guides: its root comes from the system property
 * {@value #ROOT_PROPERTY}, which this module's POM sets to the parent directory.
 */
final class Repository {
  static final String ROOT_PROPERTY = "connect.repository.root";

  private Repository() {}

  /** The repository's root directory, where the root {@code pom.xml} and README.md are. */
  static Path root() {
    String value = System.getProperty(ROOT_PROPERTY);
    if (value == null) {
      throw new IllegalStateException("system property " + ROOT_PROPERTY
          + " is not set; connect-examples/pom.xml sets it for Surefire");
    }
    Path root = Path.of(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("docs"))) {
      throw new IllegalStateException(ROOT_PROPERTY + " is not the repository root: " + root);
    }
    return root;
  }

  /** Every Markdown file of the repository outside build output and hidden directories. */
  static List<Path> markdownFiles() throws IOException {
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> {
            for (Path part : root.relativize(p)) {
              String name = part.toString();
              if (name.equals("target") || name.startsWith(".")) {
                return false;
              }
            }
            return true;
          })
          .sorted().toList();
    }
  }

  /** Parses XML without DTDs or external entities. */
  static Document parseXml(InputStream in) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder().parse(in);
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("not well-formed XML: " + e.getMessage(), e);
    }
  }

  /** Parses a POM of the repository, relative to its root. */
  static Document pom(String relative) throws IOException {
    try (InputStream in = Files.newInputStream(root().resolve(relative))) {
      return parseXml(in);
    }
  }

  /** The child elements of {@code parent} named {@code name}, in order. */
  static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        found.add(e);
      }
    }
    return found;
  }

  /**
   * The trimmed text of the element at {@code path} below {@code from} ("a/b/c"), or "" when
   * there is none.
   */
  static String text(Element from, String path) {
    Element current = from;
    for (String step : path.split("/")) {
      List<Element> next = children(current, step);
      if (next.isEmpty()) {
        return "";
      }
      current = next.get(0);
    }
    return current.getTextContent().trim();
  }

  /** The elements at {@code path} below {@code from} ("a/b/c"), every match at every step. */
  static List<Element> all(Element from, String path) {
    List<Element> current = List.of(from);
    for (String step : path.split("/")) {
      List<Element> next = new ArrayList<>();
      for (Element e : current) {
        next.addAll(children(e, step));
      }
      current = next;
    }
    return current;
  }
}
