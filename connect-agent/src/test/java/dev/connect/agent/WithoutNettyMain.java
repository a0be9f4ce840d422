package dev.connect.agent;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run in a JVM without Netty: the JSSE side of the agent must work. */
public final class WithoutNettyMain {
  private WithoutNettyMain() {}

  /**
   * Builds an agent and both JSSE contexts; exits non-zero on any failure.
   *
   * @param args ignored
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    try {
      Class.forName("io.netty.handler.ssl.SslContext");
      System.out.println("Netty is on the class path");
      System.exit(3);
    } catch (ClassNotFoundException expected) {
      // the point of this run
    }
    // Frameworks list a bean's methods by reflection: that must work without Netty too.
    for (Class<?> type : new Class<?>[] {ConnectAgent.class, ConnectService.class,
        AgentIntentions.class, AgentCa.class, AgentAcl.class}) {
      type.getMethods();
      type.getDeclaredMethods();
      type.getDeclaredFields();
    }
    Path dir = Files.createTempDirectory("agent-without-netty");
    try (ConnectAgent agent = ConnectAgent.builder().dataDirectory(dir).build()) {
      agent.service("db").serverSslContext();
      agent.service("web").clientSslContext("db");
      agent.service("web").leaf();
    }
    System.out.println("ok");
  }
}
