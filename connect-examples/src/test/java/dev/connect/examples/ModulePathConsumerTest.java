package dev.connect.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.consul.ConsulJson;
import dev.connect.consul.IntentionWire;
import dev.connect.consul.JsonStyle;
import dev.connect.consul.Shape;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12: the published modules hid nothing. They had only an {@code Automatic-Module-Name},
 * which exports every package, {@code .internal} included, and fifteen imports crossed into
 * another module's {@code .internal}. This test compiles a small application module with
 * {@code javax.tools} on the module path, against the very artifacts Maven resolved for this
 * module's tests (the reactor's jars, or its class directories before {@code package}), as a
 * user who requires {@code dev.connect.agent}, {@code dev.connect.test} and {@code
 * dev.connect.consul} would: the API packages compile, every
 * {@code .internal} package is refused.
 */
class ModulePathConsumerTest {
  /** The published library modules this module's tests see; connect-cli is a program. */
  private static final List<String> LIBRARY_MODULES = List.of("dev.connect.core",
      "dev.connect.ca", "dev.connect.server", "dev.connect.cache", "dev.connect.tls",
      "dev.connect.agent", "dev.connect.testkit", "dev.connect.test", "dev.connect.consul");

  /** What the application module requires: the agent, the test fixtures and the Consul wire. */
  private static final List<String> REQUIRED = List.of("dev.connect.agent", "dev.connect.test",
      "dev.connect.consul");

  private static List<Path> modulePath;

  @TempDir Path work;

  @BeforeAll
  static void modulePathFromTheTestClassPath() {
    // Jars and module directories only: a class directory without module-info.class (this
    // module's own) would be read as a directory of modules.
    modulePath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(p -> (Files.isRegularFile(p) && p.toString().endsWith(".jar"))
            || Files.isRegularFile(p.resolve("module-info.class")))
        .collect(Collectors.toList());
  }

  @Test
  void everyLibraryModuleIsExplicitAndExportsNoInternalPackage() {
    ModuleFinder finder = ModuleFinder.of(modulePath.toArray(new Path[0]));
    Map<String, String> wrong = new TreeMap<>();
    for (String name : LIBRARY_MODULES) {
      Optional<ModuleReference> found = finder.find(name);
      assertThat(found).as(name + " on the module path " + modulePath).isPresent();
      ModuleDescriptor descriptor = found.get().descriptor();
      if (descriptor.isAutomatic()) {
        wrong.put(name, "is an automatic module (no module-info.class): it exports everything");
        continue;
      }
      for (ModuleDescriptor.Exports e : descriptor.exports()) {
        if (e.source().contains(".internal")) {
          wrong.put(name, "exports " + e.source() + (e.isQualified() ? " to " + e.targets() : ""));
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void anApplicationModuleCompilesAgainstTheApi() throws IOException {
    String source = """
        package app;

        import dev.connect.agent.ConnectAgent;
        import dev.connect.ca.CaConfiguration;
        import dev.connect.cache.ConnectCache;
        import dev.connect.consul.ConsulJson;
        import dev.connect.core.Certificates;
        import dev.connect.core.SpiffeId;
        import dev.connect.core.UntrustedText;
        import dev.connect.server.AtomicFiles;
        import dev.connect.server.EmbeddedServer;
        import dev.connect.test.CertificateAssert;
        import dev.connect.test.ConnectAssertions;
        import dev.connect.testkit.FakeTime;
        import dev.connect.testkit.TestCa;
        import dev.connect.testkit.TestCertificates;
        import dev.connect.tls.ConnectTls;
        import java.time.Instant;

        public final class App {
          public static void main(String[] args) {
            System.out.println(SpiffeId.parse("spiffe://7f3c.consul/ns/default/dc/dc1/svc/web"));
            System.out.println(UntrustedText.shown(args.length > 0 ? args[0] : ""));
            System.out.println(java.util.List.of(ConnectAgent.class, CaConfiguration.class,
                ConnectCache.class, Certificates.class, AtomicFiles.class, EmbeddedServer.class,
                ConnectTls.class, ConsulJson.class));
            FakeTime time = FakeTime.at(Instant.parse("2030-01-01T00:00:00Z"));
            TestCa root = TestCertificates.root("7f3c.consul").clock(time).build();
            CertificateAssert isRoot = ConnectAssertions.assertThat(root).isConnectRoot("7f3c.consul");
            System.out.println(isRoot);
          }
        }
        """;
    List<Diagnostic<? extends JavaFileObject>> errors = compile(source);
    assertThat(errors).as(describe(errors)).isEmpty();
  }

  /**
   * connect-consul exports {@code dev.connect.consul} and opens nothing: Jackson reads and
   * writes its public wire records through their public constructors and accessors. A forked JVM
   * runs an application module that decodes a body (nested records, a map, a Go time) and
   * re-encodes it, and decodes a request with an unknown field; the output is the class path's.
   */
  @Test
  void consulWireRecordsGoThroughJacksonOnTheModulePath() throws Exception {
    String source = """
        package app;

        import dev.connect.consul.AuthorizeRequestWire;
        import dev.connect.consul.ConsulJson;
        import dev.connect.consul.ConsulWireException;
        import dev.connect.consul.IntentionWire;
        import dev.connect.consul.JsonStyle;
        import dev.connect.consul.Shape;
        import java.nio.charset.StandardCharsets;

        public final class App {
          public static void main(String[] args) {
            IntentionWire intention = ConsulJson.decodeResponse(
                args[0].getBytes(StandardCharsets.UTF_8), Shape.of(IntentionWire.class));
            System.out.print(new String(ConsulJson.encode(intention, JsonStyle.PRETTY),
                StandardCharsets.UTF_8));
            try {
              ConsulJson.decodeRequest(args[1].getBytes(StandardCharsets.UTF_8),
                  Shape.of(AuthorizeRequestWire.class));
              System.out.println("accepted");
            } catch (ConsulWireException e) {
              System.out.println(e.getMessage());
            }
          }
        }
        """;
    String intention = "{\"SourceName\":\"web\",\"DestinationName\":\"db\","
        + "\"Action\":\"allow\",\"Permissions\":[{\"Action\":\"deny\"}],"
        + "\"Meta\":{\"b\":\"2\",\"a\":\"1\"},\"CreatedAt\":\"2021-01-01T00:00:00.5Z\","
        + "\"Precedence\":9}";
    String request = "{\"Target\":\"db\",\"Bogus\":1}";
    List<Diagnostic<? extends JavaFileObject>> errors = compile(source);
    assertThat(errors).as(describe(errors)).isEmpty();

    String expected = new String(ConsulJson.encode(ConsulJson.decodeResponse(
        intention.getBytes(UTF_8), Shape.of(IntentionWire.class)), JsonStyle.PRETTY), UTF_8)
        + "json: unknown field \"Bogus\"\n";
    assertThat(expected).contains("\"a\": \"1\"", "\"Action\": \"deny\"",
        "2021-01-01T00:00:00.5Z");
    assertThat(runApp(intention, request)).isEqualTo(expected);
  }

  /** Runs {@code app/app.App} on the module path in a child JVM; its standard output. */
  private String runApp(String... args) throws IOException, InterruptedException {
    Path stdout = work.resolve("stdout.txt");
    Path stderr = work.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", Stream.concat(Stream.of(work.resolve("out")), modulePath.stream())
            .map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "-m", "app/app.App"));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
    try {
      assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child JVM ended").isTrue();
      assertThat(child.exitValue()).as(Files.readString(stderr)).isZero();
      return Files.readString(stdout);
    } finally {
      child.destroyForcibly();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev.connect.core.internal.HclParser",
      "dev.connect.ca.internal.Issuer", "dev.connect.server.internal.CaStore",
      "dev.connect.tls.internal.TlsStacks", "dev.connect.consul.internal.GoJsonSyntax"})
  void anApplicationModuleCannotImportAnInternalClass(String internalClass) throws IOException {
    String source = "package app;\n\nimport " + internalClass + ";\n\n"
        + "public final class App {\n"
        + "  public static final Class<?> HIDDEN = " + internalClass + ".class;\n"
        + "}\n";
    List<Diagnostic<? extends JavaFileObject>> errors = compile(source);
    String pkg = internalClass.substring(0, internalClass.lastIndexOf('.'));
    assertThat(errors).as("importing " + internalClass).isNotEmpty();
    assertThat(describe(errors)).contains(pkg).contains("is not visible");
  }

  /** Compiles {@code module app} (requiring {@link #REQUIRED}) with one class; the errors. */
  private List<Diagnostic<? extends JavaFileObject>> compile(String appSource) throws IOException {
    Path src = work.resolve("src");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), "module app {\n"
        + REQUIRED.stream().map(m -> "  requires " + m + ";\n").collect(Collectors.joining())
        + "}\n");
    Files.writeString(src.resolve("app/App.java"), appSource);
    Path out = Files.createDirectories(work.resolve("out"));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK's compiler (tests run on a JDK, not a JRE)").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics,
        Locale.ROOT, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(
          src.resolve("module-info.java"), src.resolve("app/App.java"));
      List<String> options = new ArrayList<>(List.of("--release", "17", "-d", out.toString(),
          "--module-path", modulePath.stream().map(Path::toString)
              .collect(Collectors.joining(File.pathSeparator))));
      Boolean ok = javac.getTask(null, files, diagnostics, options, null, units).call();
      List<Diagnostic<? extends JavaFileObject>> errors = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .collect(Collectors.toList());
      if (!ok && errors.isEmpty()) {
        throw new AssertionError("javac failed without an error: " + describe(
            diagnostics.getDiagnostics()));
      }
      return errors;
    }
  }

  private static String describe(List<? extends Diagnostic<?>> diagnostics) {
    return diagnostics.stream().map(d -> d.getKind() + " line " + d.getLineNumber() + ": "
        + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
  }
}
