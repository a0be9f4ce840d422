package dev.connect.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without {@code bctls-jdk18on} on the class path (it is an optional dependency), choosing
 * {@link TlsStack#BOUNCY_CASTLE} fails with an error that names the artifact to add, and the
 * JDK stack still works. The check runs in a class loader over this module's test class path
 * minus the BouncyCastle JSSE jar.
 */
class BouncyCastleJsseMissingTest {
  @Test
  void choosingBouncyCastleWithoutItsJarNamesTheArtifact() throws Exception {
    String path = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    boolean removed = false;
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.contains("bctls-jdk18on")) {
        removed = true;
      } else if (!entry.isEmpty()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    assertThat(removed).as("bctls was on the test class path").isTrue();
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      Class<?> stacks = loader.loadClass("dev.connect.tls.internal.TlsStacks");
      @SuppressWarnings({"unchecked", "rawtypes"})
      Class<Enum> stackType = (Class<Enum>) loader.loadClass("dev.connect.tls.TlsStack");
      Method require = stacks.getMethod("requireAvailable", stackType);
      require.invoke(null, Enum.valueOf(stackType, "JDK"));
      Throwable thrown = null;
      try {
        require.invoke(null, Enum.valueOf(stackType, "BOUNCY_CASTLE"));
      } catch (InvocationTargetException e) {
        thrown = e.getCause();
      }
      assertThat(thrown).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("TlsStack.BOUNCY_CASTLE needs org.bouncycastle:bctls-jdk18on"
              + " on the class path")
          .hasMessageContaining("BouncyCastleJsseProvider was not found");
    }
  }
}
