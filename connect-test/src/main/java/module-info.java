/**
 * Fixtures for tests of applications that use Connect for Java: the JUnit extension and the
 * AssertJ assertions, over connect-testkit's fakes and certificate builders.
 */
module dev.connect.test {
  requires transitive dev.connect.agent;
  requires transitive dev.connect.testkit;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;

  exports dev.connect.test;
}
