package dev.connect.test;

import static dev.connect.test.ConnectAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.agent.ConnectAgent;
import dev.connect.cache.Leaf;
import dev.connect.core.PermissionDeniedException;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Files;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit extension stands up working mutual TLS in one field and cleans up after. */
class ConnectExtensionTest {
  static final List<Path> DIRECTORIES = new ArrayList<>();

  @RegisterExtension
  final ConnectExtension connect = ConnectExtension.builder()
      .allow("web", "db")
      .deny("batch", "db")
      .build();

  @AfterAll
  static void everyDirectoryWasDeleted() {
    assertThat(DIRECTORIES).isNotEmpty().allSatisfy(d -> assertThat(d).doesNotExist());
  }

  @Test
  void declaredIntentionsDecideRealHandshakes() throws Exception {
    DIRECTORIES.add(connect.dataDirectory());
    SSLContext db = connect.service("db").serverSslContext();
    assertThat(Handshakes.echo(db, connect.service("web").clientSslContext("db"))).isEqualTo(42);
    assertThatThrownBy(() -> Handshakes.echo(db, connect.service("batch").clientSslContext("db")))
        .isInstanceOf(IOException.class);
    assertThat(connect.service("db").authorize(connect.service("batch").id().spiffeId()))
        .isDenied().hasReasonContaining("default/batch => default/db");

    connect.deny("web", "db");
    assertThatThrownBy(() -> Handshakes.echo(db, connect.service("web").clientSslContext("db")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theLeafIsAConnectLeafAndRenewsOnTheFakeTime(ConnectAgent agent, FakeTime time) {
    DIRECTORIES.add(connect.dataDirectory());
    assertThat(agent).isSameAs(connect.agent());
    Leaf first = connect.service("web").leaf();
    assertThat(first.certificate().certificate())
        .hasSpiffeId(connect.service("web").id().spiffeId())
        .isValidAt(time.instant())
        .isSignedBy(connect.service("web").roots().active().certificate());
    connect.advance(Duration.ofHours(65)); // past 90 % of the default 72 h lifetime
    Leaf renewed = connect.service("web").leaf();
    assertThat(renewed.certificate().serialNumber())
        .isNotEqualTo(first.certificate().serialNumber());
    assertThat(renewed.certificate().certificate()).isValidAt(time.instant());
  }

  @Test
  void eachTestGetsItsOwnAgentAndTrustDomain() {
    DIRECTORIES.add(connect.dataDirectory());
    SEEN_TRUST_DOMAINS.add(connect.agent().trustDomain());
    assertThat(SEEN_TRUST_DOMAINS).doesNotHaveDuplicates();
  }

  @Test
  void aSecondTestAlsoGetsItsOwnAgent() {
    DIRECTORIES.add(connect.dataDirectory());
    SEEN_TRUST_DOMAINS.add(connect.agent().trustDomain());
    assertThat(SEEN_TRUST_DOMAINS).doesNotHaveDuplicates();
  }

  static final List<String> SEEN_TRUST_DOMAINS = new ArrayList<>();

  @Test
  void misuseIsReportedClearly() {
    assertThatThrownBy(() -> ConnectExtension.builder().token("t", "service \"web\" {}").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("need acls(...)");
    assertThatThrownBy(() -> ConnectExtension.builder()
        .acls(dev.connect.core.AclDefaultPolicy.DENY).service("web", "nope").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bound to token nope, which is not declared");
    assertThatThrownBy(() -> ConnectExtension.builder().datacenter("a").datacenter("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("datacenter was already set to a");
    ConnectExtension unused = ConnectExtension.builder().build();
    assertThatThrownBy(unused::agent).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Connect agent is running");
    assertThatThrownBy(() -> connect.token("nope")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no token named nope");
  }

  /** One agent for the whole class, with ACLs and declared tokens. */
  @Nested
  class PerClassWithAcls {
    // Nested classes cannot hold a static field in Java 17; see AclsPerClassTest for static.
    @RegisterExtension
    final ConnectExtension acl = ConnectExtension.builder()
        .acls(dev.connect.core.AclDefaultPolicy.DENY)
        .token("web", "service \"web\" { policy = \"write\" } service \"db\" { policy = \"read\" }")
        .token("db", "service \"db\" { policy = \"write\" } service \"web\" { policy = \"read\" }")
        .service("web", "web")
        .service("db", "db")
        .allow("web", "db")
        .build();

    @Test
    void tokensDecideWhoGetsALeafAndIntentionsStillDecide() throws Exception {
      DIRECTORIES.add(acl.dataDirectory());
      assertThat(Handshakes.echo(acl.service("db").serverSslContext(),
          acl.service("web").clientSslContext("db"))).isEqualTo(42);
      assertThatThrownBy(() -> acl.agent().service("db", acl.token("web")).leaf())
          .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("service:write");
      assertThat(acl.token("management")).isNotEqualTo(acl.token("web"));
      assertThat(acl.agent().toString()).doesNotContain(acl.token("web"));
    }
  }

  @Test
  void aPerClassAgentIsClosedAndRemovedAfterAll() throws Exception {
    ConnectExtension perClass = ConnectExtension.builder().build();
    ExtensionContext outer = container("[engine:junit-jupiter]/[class:Outer]");
    ExtensionContext nested = container("[engine:junit-jupiter]/[class:Outer]/[nested-class:In]");
    perClass.beforeAll(outer); // what JUnit does for a static field: beforeAll, then each test
    perClass.beforeEach(outer);
    ConnectAgent agent = perClass.agent();
    Path dir = perClass.dataDirectory();
    perClass.afterEach(outer);
    perClass.beforeAll(nested); // a @Nested class shares the agent...
    assertThat(perClass.agent()).as("kept across tests").isSameAs(agent);
    perClass.afterAll(nested); // ...and does not close it
    assertThat(agent.isClosed()).isFalse();
    perClass.afterAll(outer);
    assertThat(agent.isClosed()).isTrue();
    assertThat(dir).doesNotExist();
    assertThatThrownBy(perClass::agent).isInstanceOf(IllegalStateException.class);
  }

  /** A container context that answers only its unique ID, all the extension reads of it. */
  private static ExtensionContext container(String uniqueId) {
    return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
        new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> {
          if (method.getName().equals("getUniqueId")) {
            return uniqueId;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void theTemporaryDirectoryIsRealWhileTheTestRuns() {
    DIRECTORIES.add(connect.dataDirectory());
    assertThat(Files.isDirectory(connect.dataDirectory())).isTrue();
    assertThat(connect.dataDirectory().resolve("state.json")).exists();
  }
}
