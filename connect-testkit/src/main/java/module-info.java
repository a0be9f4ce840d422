/**
 * The fixtures every module's tests use, and users' tests through connect-test: {@code FakeTime}
 * (a Clock and a Caffeine Ticker), {@code FakeScheduler} and SPIFFE certificate builders.
 */
module dev.connect.testkit {
  // FakeTime is a Caffeine Ticker.
  requires transitive com.github.benmanes.caffeine;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;

  exports dev.connect.testkit;
}
