package dev.connect.core;

/**
 * Thrown when the text of an ACL policy is not valid rules: a syntax error in the HCL or JSON, an
 * unknown rule, or a value Consul refuses.
 *
 * <p>{@link #consulMessage()} is the text Consul 1.10 answers with, for a server to pass on:
 * {@code Invalid service policy: &acl.ServiceRule{Name:"web", Policy:"sideways", Intentions:"",
 * EnterpriseRule:acl.EnterpriseRule{}}} for a bad value (the order in which several bad values
 * are reported is Consul's, too), or {@code Failed to parse ACL rules: At 1:17: ...} for text
 * that does not parse. {@link #getMessage()} is for people: for a bad value it says what is
 * wrong in our words rather than Consul's Go struct ({@code service "web": policy "sideways" is
 * not read, write or deny}), and it adds the position when Consul's text lacks one, so a person
 * can find the offending text: {@code ... (at line 1, column 26)}.
 */
public final class PolicyRulesException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String consulMessage;
  private final int line;
  private final int column;

  PolicyRulesException(String consulMessage, int line, int column, boolean positionInMessage) {
    super(positionInMessage ? consulMessage
        : consulMessage + " (at line " + line + ", column " + column + ")");
    this.consulMessage = consulMessage;
    this.line = line;
    this.column = column;
  }

  PolicyRulesException(String message, String consulMessage, int line, int column) {
    super(message + " (at line " + line + ", column " + column + ")");
    this.consulMessage = consulMessage;
    this.line = line;
    this.column = column;
  }

  /** Returns the message in Consul 1.10's words, without a position unless Consul gives one. */
  public String consulMessage() {
    return consulMessage;
  }

  /** Returns the line of the offending text, from 1. */
  public int line() {
    return line;
  }

  /** Returns the column of the offending text, from 1 (in UTF-16 characters). */
  public int column() {
    return column;
  }
}
