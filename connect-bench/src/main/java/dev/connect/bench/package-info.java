/**
 * JMH benchmarks of Connect for Java, each beside the baseline it is judged against, in the same
 * run. Results and the commands that produced them go to {@code docs/performance.md}.
 */
package dev.connect.bench;
