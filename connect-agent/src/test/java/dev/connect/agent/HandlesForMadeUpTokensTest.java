package dev.connect.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connect.cache.CacheType;
import dev.connect.core.AclDefaultPolicy;
import dev.connect.core.AclNotFoundException;
import java.lang.ref.WeakReference;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue #11, item 7: {@code ConnectAgent} kept every handle and every token it was ever asked
 * for (300,000 {@code service("web", token)} calls with made-up tokens retained 210 MB). The
 * agent now keeps a handle only while it is in use, and an unknown token gets nothing cached.
 */
class HandlesForMadeUpTokensTest extends AgentTestBase {
  static final String MANAGEMENT = "5e0b7c1d-9a2f-4c3e-8b1a-00000000mgmt";
  static final int CALLS = 20_000;

  @Override
  ConnectAgent.Builder configure(ConnectAgent.Builder builder) {
    return builder.aclsEnabled(true).aclDefaultPolicy(AclDefaultPolicy.DENY)
        .initialManagementToken(MANAGEMENT);
  }

  /** Collects garbage until the agent holds at most {@code expected} handles; bounded. */
  private long handlesAfterGc(long expected) {
    long n = f.agent.handles();
    for (int i = 0; i < 10 && n > expected; i++) {
      System.gc();
      n = f.agent.handles();
    }
    return n;
  }

  @Test
  void madeUpTokensLeaveNoHandleBehind() {
    ConnectService kept = f.agent.service("web", MANAGEMENT);
    for (int i = 0; i < CALLS; i++) {
      f.agent.service("web", UUID.randomUUID().toString());
    }
    assertThat(handlesAfterGc(1)).isEqualTo(1);
    assertThat(f.agent.service("web", MANAGEMENT)).isSameAs(kept); // still shared while held
  }

  @Test
  void anUnknownTokenGetsNothingCachedWhenItsHandleIsUsed() {
    f.agent.service("db", MANAGEMENT).roots();
    for (int i = 0; i < 100; i++) {
      ConnectService db = f.agent.service("db", UUID.randomUUID().toString());
      db.roots(); // roots need no token; they are the datacenter's
      assertThatThrownBy(db::serverSslContext).isInstanceOf(AclNotFoundException.class);
      assertThatThrownBy(db::leaf).isInstanceOf(AclNotFoundException.class);
    }
    f.runDue();
    assertThat(f.agent.cache().stats().entries())
        .containsEntry(CacheType.ROOTS, 1L)
        .containsEntry(CacheType.LEAF, 0L)
        .containsEntry(CacheType.INTENTION_MATCH, 0L);
    assertThat(handlesAfterGc(0)).isZero();
  }

  @Test
  void aHandleWithAListenerIsKeptThoughTheCallerDroppedIt() {
    AtomicInteger told = new AtomicInteger();
    WeakReference<ConnectService> registered = new WeakReference<>(register(told));
    assertThat(handlesAfterGc(0)).isEqualTo(1);
    assertThat(f.agent.service("db", MANAGEMENT)).isSameAs(registered.get());
  }

  private ConnectService register(AtomicInteger told) {
    ConnectService db = f.agent.service("db", MANAGEMENT);
    db.onHandshake(e -> told.incrementAndGet());
    return db;
  }
}
