package dev.connect.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs an example's {@code main} and returns what it printed. */
final class Mains {
  private Mains() {}

  /** An example's {@code main} method. */
  @FunctionalInterface
  interface Main {
    void run(String[] args) throws Exception;
  }

  /**
   * Runs {@code main} with {@code args} while {@code System.out} is redirected, and restores it
   * afterwards, whatever {@code main} did.
   *
   * @return what {@code main} printed to {@code System.out}, decoded as UTF-8
   */
  static String stdout(Main main, String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, "UTF-8"));
    try {
      main.run(args);
    } finally {
      System.setOut(original);
    }
    return out.toString("UTF-8");
  }
}
