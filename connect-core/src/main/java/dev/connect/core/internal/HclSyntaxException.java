package dev.connect.core.internal;

/**
 * A syntax error in HCL or JSON rules text, at a 1-based line and column. The message has HCL's
 * form: {@code At 3:14: <problem>}.
 */
public final class HclSyntaxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final String problem;

  /** Creates the error for {@code problem} at {@code line}:{@code column}. */
  public HclSyntaxException(int line, int column, String problem) {
    super("At " + line + ":" + column + ": " + problem);
    this.line = line;
    this.column = column;
    this.problem = problem;
  }

  /** Returns the line of the error, from 1. */
  public int line() {
    return line;
  }

  /** Returns the column of the error, from 1. */
  public int column() {
    return column;
  }

  /** Returns what is wrong, without the position. */
  public String problem() {
    return problem;
  }
}
