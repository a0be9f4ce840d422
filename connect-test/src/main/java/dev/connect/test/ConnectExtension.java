package dev.connect.test;

import static java.util.Objects.requireNonNull;

import dev.connect.agent.AgentIntentions;
import dev.connect.agent.ConnectAgent;
import dev.connect.agent.ConnectService;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclToken;
import dev.connect.core.IntentionAction;
import dev.connect.testkit.FakeScheduler;
import dev.connect.testkit.FakeTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Stands up Connect mutual TLS for a JUnit 5 test in one field: an embedded {@link ConnectAgent}
 * in a temporary data directory, on a {@link FakeTime} and {@link FakeScheduler}, with the
 * services, intentions and tokens the test declares; everything is closed and deleted after.
 *
 * <pre>{@code
 * class CheckoutTest {
 *   @RegisterExtension
 *   final ConnectExtension connect = ConnectExtension.builder()
 *       .allow("web", "db")
 *       .deny("batch", "db")
 *       .build();
 *
 *   @Test
 *   void webCallsDb() throws Exception {
 *     SSLContext server = connect.service("db").serverSslContext();
 *     SSLContext client = connect.service("web").clientSslContext("db");
 *     // ... a real handshake on 127.0.0.1 ...
 *     connect.deny("web", "db");            // takes effect on the next handshake
 *     connect.advance(Duration.ofHours(60)); // leaves renew on the fake time
 *   }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> On an instance field each test gets a fresh agent (a new trust domain,
 * data directory and time); on a {@code static} field (or an instance field of a {@code
 * PER_CLASS} test class) one agent serves every test of the class, its {@code @Nested} classes
 * included, and is closed after the class. Test methods may also declare parameters of type {@link
 * ConnectAgent}, {@link FakeTime} and {@link FakeScheduler}.
 *
 * <p><b>Time.</b> The agent's clock and its cache's ticker are one {@link FakeTime}, and its
 * background work runs on a {@link FakeScheduler} when the test calls {@link #runDue()} or
 * {@link #advance(Duration)}, on the test's thread: nothing happens behind the test's back.
 * The time starts at the real now (whole seconds) unless {@link Builder#startingAt} says
 * otherwise, so that peers reading the real clock (the JDK's default trust manager, {@code
 * openssl}) agree with the agent about validity until the test moves the time.
 *
 * <p><b>ACLs.</b> {@link Builder#acls} turns them on with a generated management token;
 * {@link Builder#token} declares a token by name with its rules, and {@link Builder#service(
 * String, String)} binds a service handle to it. Secrets are random per agent; {@link
 * #token(String)} returns one.
 *
 * <p>Not thread-safe: a test drives it from its own thread, as it drives the fake time.
 */
public final class ConnectExtension implements BeforeAllCallback, AfterAllCallback,
    BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final Builder config;
  private boolean perClass;
  /** The unique ID of the class container that started a per-class agent. */
  private String owner;
  private Running running;

  private ConnectExtension(Builder config) {
    this.config = config;
  }

  /**
   * Returns a builder: ACLs off, datacenter {@code dc1}, the default CA configuration, time
   * starting at the real now.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // JUnit callbacks

  /**
   * Starts the agent for the whole class (a {@code static} field).
   *
   * @param context the class's context
   * @throws IOException if the data directory cannot be made
   */
  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (running != null) {
      return; // a @Nested class of the class that started it: share the agent
    }
    perClass = true;
    owner = context.getUniqueId();
    start();
  }

  /**
   * Starts the agent for this test, unless a {@code static} field started it for the class.
   *
   * @param context the test's context
   * @throws IOException if the data directory cannot be made
   */
  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (!perClass) {
      start();
    }
  }

  /**
   * Closes this test's agent, unless it serves the whole class.
   *
   * @param context the test's context
   * @throws IOException if the data directory cannot be deleted
   */
  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (!perClass) {
      stop();
    }
  }

  /**
   * Closes the class's agent.
   *
   * @param context the class's context
   * @throws IOException if the data directory cannot be deleted
   */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (perClass && context.getUniqueId().equals(owner)) {
      perClass = false;
      owner = null;
      stop();
    }
  }

  /**
   * Tells whether a test parameter is a {@link ConnectAgent}, {@link FakeTime} or {@link
   * FakeScheduler}.
   *
   * @param parameter the parameter
   * @param context the test's context
   * @return whether this extension supplies it
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ConnectAgent.class || type == FakeTime.class || type == FakeScheduler.class;
  }

  /**
   * Supplies the running agent, its time or its scheduler.
   *
   * @param parameter the parameter
   * @param context the test's context
   * @return the value
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    Running r = running();
    return type == ConnectAgent.class ? r.agent : type == FakeTime.class ? r.time : r.scheduler;
  }

  // ---------------------------------------------------------------------------------------------
  // What tests use

  /**
   * Returns the running agent.
   *
   * @return the agent
   * @throws IllegalStateException outside a test
   */
  public ConnectAgent agent() {
    return running().agent;
  }

  /**
   * Returns the handle of a service: the one {@linkplain Builder#service(String, String) bound
   * to a declared token}, or else the agent's handle with no token.
   *
   * @param name the service name
   * @return the handle
   * @throws IllegalStateException outside a test
   */
  public ConnectService service(String name) {
    requireNonNull(name, "name");
    Running r = running();
    String tokenName = config.serviceTokens.get(name);
    return tokenName == null ? r.agent.service(name) : r.agent.service(name, token(tokenName));
  }

  /**
   * Returns the secret of a declared token, or of the management token for {@code
   * "management"} when ACLs are on.
   *
   * @param name the name given to {@link Builder#token}
   * @return the secret
   * @throws IllegalArgumentException if no token has that name
   * @throws IllegalStateException outside a test
   */
  public String token(String name) {
    requireNonNull(name, "name");
    String secret = running().secrets.get(name);
    if (secret == null) {
      throw new IllegalArgumentException("no token named " + name + "; declared: "
          + running().secrets.keySet());
    }
    return secret;
  }

  /**
   * Returns the fake time of the agent's clock and cache ticker.
   *
   * @return the time
   * @throws IllegalStateException outside a test
   */
  public FakeTime time() {
    return running().time;
  }

  /**
   * Returns the scheduler the agent's background work runs on.
   *
   * @return the scheduler
   * @throws IllegalStateException outside a test
   */
  public FakeScheduler scheduler() {
    return running().scheduler;
  }

  /**
   * Returns the agent's data directory, deleted after the test (or class).
   *
   * @return the directory
   * @throws IllegalStateException outside a test
   */
  public Path dataDirectory() {
    return running().directory;
  }

  /**
   * Runs the background work due now: blocking queries answered by a write, renewals due.
   *
   * @return the number of tasks run
   */
  public int runDue() {
    return running().scheduler.runDue();
  }

  /**
   * Moves the time forward, running every task that falls due on the way, in order.
   *
   * @param duration how far
   * @return the number of tasks run
   */
  public int advance(Duration duration) {
    return running().scheduler.advance(duration);
  }

  /**
   * Writes an allow intention (with the management token when ACLs are on) and lets the cache
   * pick it up, so the next handshake sees it.
   *
   * @param source the source service
   * @param destination the destination service
   */
  public void allow(String source, String destination) {
    running().intention(source, destination, IntentionAction.ALLOW);
  }

  /**
   * Writes a deny intention and lets the cache pick it up, so the next handshake is refused.
   *
   * @param source the source service
   * @param destination the destination service
   */
  public void deny(String source, String destination) {
    running().intention(source, destination, IntentionAction.DENY);
  }

  /** Returns the declared configuration, and whether an agent is running. */
  @Override
  public String toString() {
    return "ConnectExtension[" + config + (running == null ? ", stopped]" : ", running]");
  }

  // ---------------------------------------------------------------------------------------------

  private Running running() {
    if (running == null) {
      throw new IllegalStateException("no Connect agent is running: use the extension inside a"
          + " test, with @RegisterExtension on its field");
    }
    return running;
  }

  private void start() throws IOException {
    if (running != null) {
      throw new IllegalStateException("the Connect agent is already running");
    }
    running = new Running(config);
  }

  private void stop() throws IOException {
    Running r = running;
    running = null;
    if (r != null) {
      r.close();
    }
  }

  /** One agent with its time, scheduler, directory and token secrets. */
  private static final class Running {
    final FakeTime time;
    final FakeScheduler scheduler;
    final Path directory;
    final ConnectAgent agent;
    final Map<String, String> secrets = new LinkedHashMap<>();
    private final String management;

    Running(Builder config) throws IOException {
      time = FakeTime.at(config.start != null ? config.start
          : Instant.now().truncatedTo(ChronoUnit.SECONDS));
      scheduler = FakeScheduler.on(time);
      directory = Files.createTempDirectory("connect-test-");
      management = config.aclDefault == null ? null : UUID.randomUUID().toString();
      ConnectAgent.Builder b = ConnectAgent.builder().dataDirectory(directory)
          .datacenter(config.datacenter).clock(time).ticker(time).scheduler(scheduler);
      if (config.caConfiguration != null) {
        b.caConfiguration(config.caConfiguration);
      }
      if (management != null) {
        b.aclsEnabled(true).aclDefaultPolicy(config.aclDefault)
            .initialManagementToken(management);
        secrets.put("management", management);
      }
      ConnectAgent made = null;
      try {
        made = b.build();
        for (Map.Entry<String, String> t : config.tokens.entrySet()) {
          String policy = "connect-test-" + t.getKey();
          made.acl(management).createPolicy(policy, "declared by ConnectExtension",
              t.getValue());
          AclToken token = made.acl(management).createToken("connect-test " + t.getKey(),
              List.of(policy));
          secrets.put(t.getKey(), token.revealSecretId());
        }
        for (String[] i : config.intentions) {
          intentions(made).upsert(i[0], i[1], IntentionAction.parse(i[2]),
              "declared by ConnectExtension");
        }
        scheduler.runDue();
      } catch (IOException | RuntimeException | Error e) {
        try {
          if (made != null) {
            made.close();
          }
          scheduler.shutdownNow();
          delete(directory);
        } catch (IOException | RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      agent = made;
    }

    void intention(String source, String destination, IntentionAction action) {
      requireNonNull(source, "source");
      requireNonNull(destination, "destination");
      scheduler.runDue(); // the match's blocking query is waiting, so the write wakes it
      intentions(agent).upsert(source, destination, action, "written by the test");
      scheduler.runDue();
    }

    private AgentIntentions intentions(ConnectAgent a) {
      return management == null ? a.intentions() : a.intentions(management);
    }

    void close() throws IOException {
      try {
        agent.close();
      } finally {
        scheduler.shutdownNow();
        delete(directory);
      }
    }

    private static void delete(Path dir) throws IOException {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * Declares the agent a {@link ConnectExtension} stands up. Each singular option may be set
   * once; a second setting throws {@link IllegalStateException} naming the earlier value.
   */
  public static final class Builder {
    private final List<String[]> intentions = new ArrayList<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final Map<String, String> serviceTokens = new LinkedHashMap<>();
    private String datacenter = "dc1";
    private boolean datacenterSet;
    private Instant start;
    private CaConfiguration caConfiguration;
    private AclDefaultPolicy aclDefault;

    private Builder() {}

    /**
     * Declares an allow intention written before each test (or the class).
     *
     * @param source the source service, or {@code *}
     * @param destination the destination service, or {@code *}
     * @return this builder
     */
    public Builder allow(String source, String destination) {
      intentions.add(new String[] {requireNonNull(source, "source"),
          requireNonNull(destination, "destination"), "allow"});
      return this;
    }

    /**
     * Declares a deny intention written before each test (or the class).
     *
     * @param source the source service, or {@code *}
     * @param destination the destination service, or {@code *}
     * @return this builder
     */
    public Builder deny(String source, String destination) {
      intentions.add(new String[] {requireNonNull(source, "source"),
          requireNonNull(destination, "destination"), "deny"});
      return this;
    }

    /**
     * Turns ACLs on with {@code defaultPolicy}; the management token is {@link
     * ConnectExtension#token(String) token("management")}, and the extension writes declared
     * intentions and tokens with it.
     *
     * @param defaultPolicy what a token may do where no rule says
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder acls(AclDefaultPolicy defaultPolicy) {
      requireNonNull(defaultPolicy, "defaultPolicy");
      if (aclDefault != null) {
        throw new IllegalStateException("acls was already set to " + aclDefault);
      }
      aclDefault = defaultPolicy;
      return this;
    }

    /**
     * Declares a token by name with its policy rules (Consul's HCL or JSON), made before each
     * test (or the class). Needs {@link #acls}.
     *
     * @param name the name tests use in {@link ConnectExtension#token(String)}
     * @param rules the rules, such as {@code service "web" { policy = "write" }}
     * @return this builder
     * @throws IllegalStateException if a token of that name was declared already
     */
    public Builder token(String name, String rules) {
      requireNonNull(name, "name");
      requireNonNull(rules, "rules");
      if (name.equals("management") || tokens.containsKey(name)) {
        throw new IllegalStateException("a token named " + name + " was already declared");
      }
      tokens.put(name, rules);
      return this;
    }

    /**
     * Binds a service's handle to a declared token: {@link ConnectExtension#service(String)}
     * then reads its leaf and intentions with that token.
     *
     * @param name the service name
     * @param tokenName a name given to {@link #token}, or {@code "management"}
     * @return this builder
     * @throws IllegalStateException if the service was bound already
     */
    public Builder service(String name, String tokenName) {
      requireNonNull(name, "name");
      requireNonNull(tokenName, "tokenName");
      String earlier = serviceTokens.putIfAbsent(name, tokenName);
      if (earlier != null) {
        throw new IllegalStateException("service " + name + " was already bound to token "
            + earlier);
      }
      return this;
    }

    /**
     * Sets the datacenter. Default: {@code dc1}.
     *
     * @param name the datacenter
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder datacenter(String name) {
      requireNonNull(name, "name");
      if (datacenterSet) {
        throw new IllegalStateException("datacenter was already set to " + datacenter);
      }
      datacenterSet = true;
      datacenter = name;
      return this;
    }

    /**
     * Sets the instant the fake time starts at. Default: the real now, in whole seconds.
     *
     * @param instant the start
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder startingAt(Instant instant) {
      requireNonNull(instant, "instant");
      if (start != null) {
        throw new IllegalStateException("startingAt was already set to " + start);
      }
      start = instant;
      return this;
    }

    /**
     * Sets the CA configuration of the embedded server, for example a short leaf TTL.
     *
     * @param configuration the configuration
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder caConfiguration(CaConfiguration configuration) {
      requireNonNull(configuration, "configuration");
      if (caConfiguration != null) {
        throw new IllegalStateException("caConfiguration was already set to " + caConfiguration);
      }
      caConfiguration = configuration;
      return this;
    }

    /**
     * Returns the extension.
     *
     * @return the extension
     * @throws IllegalStateException if tokens or token-bound services are declared without
     *     {@link #acls}, or a service is bound to an undeclared token
     */
    public ConnectExtension build() {
      if (aclDefault == null && (!tokens.isEmpty() || !serviceTokens.isEmpty())) {
        throw new IllegalStateException("tokens " + tokens.keySet() + " and token-bound services "
            + serviceTokens.keySet() + " need acls(...)");
      }
      for (Map.Entry<String, String> s : serviceTokens.entrySet()) {
        if (!s.getValue().equals("management") && !tokens.containsKey(s.getValue())) {
          throw new IllegalStateException("service " + s.getKey() + " is bound to token "
              + s.getValue() + ", which is not declared; declared: " + tokens.keySet());
        }
      }
      Builder copy = new Builder();
      copy.intentions.addAll(intentions);
      copy.tokens.putAll(tokens);
      copy.serviceTokens.putAll(serviceTokens);
      copy.datacenter = datacenter;
      copy.start = start;
      copy.caConfiguration = caConfiguration;
      copy.aclDefault = aclDefault;
      return new ConnectExtension(copy);
    }

    /** Returns the declarations; token rules are shown, secrets do not exist yet. */
    @Override
    public String toString() {
      List<String> shown = new ArrayList<>();
      for (String[] i : intentions) {
        shown.add(i[0] + " => " + i[1] + " " + i[2]);
      }
      return "datacenter=" + datacenter + ", intentions=" + shown + ", acls="
          + (aclDefault == null ? "off" : aclDefault) + ", tokens=" + tokens.keySet()
          + ", services=" + serviceTokens;
    }
  }
}
