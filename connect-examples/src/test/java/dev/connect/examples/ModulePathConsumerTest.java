package dev.connect.examples;

import static org.assertj.core.api.Assertions.assertThat;

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
 * user who {@code requires dev.connect.agent} would: the API packages compile, every
 * {@code .internal} package is refused.
 */
class ModulePathConsumerTest {
  /** The published library modules this module's tests see; connect-cli is a program. */
  private static final List<String> LIBRARY_MODULES = List.of("dev.connect.core",
      "dev.connect.ca", "dev.connect.server", "dev.connect.cache", "dev.connect.tls",
      "dev.connect.agent");

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
        import dev.connect.core.Certificates;
        import dev.connect.core.SpiffeId;
        import dev.connect.core.UntrustedText;
        import dev.connect.server.AtomicFiles;
        import dev.connect.server.EmbeddedServer;
        import dev.connect.tls.ConnectTls;

        public final class App {
          public static void main(String[] args) {
            System.out.println(SpiffeId.parse("spiffe://7f3c.consul/ns/default/dc/dc1/svc/web"));
            System.out.println(UntrustedText.shown(args.length > 0 ? args[0] : ""));
            System.out.println(java.util.List.of(ConnectAgent.class, CaConfiguration.class,
                ConnectCache.class, Certificates.class, AtomicFiles.class, EmbeddedServer.class,
                ConnectTls.class));
          }
        }
        """;
    List<Diagnostic<? extends JavaFileObject>> errors = compile(source);
    assertThat(errors).as(describe(errors)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev.connect.core.internal.HclParser",
      "dev.connect.ca.internal.Issuer", "dev.connect.server.internal.CaStore",
      "dev.connect.tls.internal.TlsStacks"})
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

  /** Compiles {@code module app { requires dev.connect.agent; }} with one class; the errors. */
  private List<Diagnostic<? extends JavaFileObject>> compile(String appSource) throws IOException {
    Path src = work.resolve("src");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), "module app {\n"
        + "  requires dev.connect.agent;\n"
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
