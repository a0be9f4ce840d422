package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The handle's Netty contexts, and an agent that works without Netty on the class path. */
class NettyContextsTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void nettyContextsAreBuiltOncePerProviderAndUpstream(SslProvider provider) throws Exception {
    if (provider == SslProvider.OPENSSL) {
      assumeThat(OpenSsl.isAvailable()).as("BoringSSL not loadable here").isTrue();
    }
    try (AgentFixture f = new AgentFixture(dir, b -> b)) {
      ConnectService db = f.agent.service("db");
      SslContext server = NettyContexts.server(db, provider);
      assertThat(server.isServer()).isTrue();
      assertThat(NettyContexts.server(db, provider)).isSameAs(server);
      SslContext client = NettyContexts.client(f.agent.service("web"), "db", provider);
      assertThat(client.isClient()).isTrue();
      assertThat(NettyContexts.client(f.agent.service("web"), "db", provider)).isSameAs(client);
      assertThat(NettyContexts.client(f.agent.service("web"), "api", provider)).isNotSameAs(client);
    }
  }

  @Test
  void theJssePartWorksWithoutNettyOnTheClassPath() throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path")
            .split(File.pathSeparator))
        .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("netty-"))
        .collect(Collectors.joining(File.pathSeparator));
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", classPath, WithoutNettyMain.class.getName())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("ok");
  }
}
