/**
 * Fixtures for tests of code that uses Connect for Java.
 *
 * <ul>
 *   <li>{@link dev.connect.test.FakeTime}: a {@link java.time.Clock} and a Caffeine {@link
 *       com.github.benmanes.caffeine.cache.Ticker} that move together, only when told to; and
 *       {@link dev.connect.test.FakeScheduler}, a {@link
 *       java.util.concurrent.ScheduledExecutorService} that runs tasks on the test's thread when
 *       that time reaches them;
 *   <li>{@link dev.connect.test.TestCertificates}: roots, intermediates and leaves in Consul
 *       Connect's certificate profiles ({@link dev.connect.test.TestCa}, {@link
 *       dev.connect.test.TestLeaf}), with the broken variants a test of a peer check needs
 *       (expired, wrong trust domain, two URI SANs, missing extended key usage...), as PEM or as
 *       JSSE key and trust managers;
 *   <li>{@link dev.connect.test.ConnectAssertions}: AssertJ assertions on certificates and on
 *       authorization {@link dev.connect.core.Decision}s, whose failures name the actual values.
 * </ul>
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.test;
