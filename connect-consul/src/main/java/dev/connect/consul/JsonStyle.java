package dev.connect.consul;

/** How a Consul agent lays out a JSON body. */
public enum JsonStyle {
  /** A normal agent's output: no whitespace, no trailing newline. */
  COMPACT,
  /**
   * Output of {@code ?pretty} (and of every {@code -dev} agent): Go's {@code MarshalIndent} with
   * four spaces, then a newline.
   */
  PRETTY
}
