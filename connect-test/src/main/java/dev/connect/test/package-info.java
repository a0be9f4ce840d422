/**
 * The JUnit extension and AssertJ assertions for tests of code that uses Connect for Java.
 *
 * <ul>
 *   <li>{@link dev.connect.test.ConnectExtension}: a whole agent in a temporary directory per
 *       test class or method, on a {@link dev.connect.testkit.FakeTime} and {@link
 *       dev.connect.testkit.FakeScheduler};
 *   <li>{@link dev.connect.test.ConnectAssertions}: AssertJ assertions on certificates (also
 *       those of {@link dev.connect.testkit.TestCertificates}) and on authorization {@link
 *       dev.connect.core.Decision}s, whose failures name the actual values.
 * </ul>
 *
 * <p>The fake time, the fake scheduler and the certificate builders live in connect-testkit
 * (package {@link dev.connect.testkit}), which this module depends on and brings along.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.test;
