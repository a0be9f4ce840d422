/**
 * The fixtures every module's tests use, and users' tests too (through connect-test, which
 * builds on this module): it depends on no other module of the project.
 *
 * <ul>
 *   <li>{@link dev.connect.testkit.FakeTime}: a {@link java.time.Clock} and a Caffeine {@link
 *       com.github.benmanes.caffeine.cache.Ticker} that move together, only when told to; and
 *       {@link dev.connect.testkit.FakeScheduler}, a {@link
 *       java.util.concurrent.ScheduledExecutorService} that runs tasks on the test's thread when
 *       that time reaches them;
 *   <li>{@link dev.connect.testkit.TestCertificates}: roots, intermediates and leaves in Consul
 *       Connect's certificate profiles ({@link dev.connect.testkit.TestCa}, {@link
 *       dev.connect.testkit.TestLeaf}), with the broken variants a test of a peer check needs
 *       (expired, wrong trust domain, two URI SANs, missing extended key usage...), as JDK types,
 *       PEM, or JSSE key and trust managers. They are made with BouncyCastle directly, never by
 *       the project's CA, so that a test of the CA can compare against them.
 * </ul>
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.testkit;
