package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * What an {@link Intention} does with the connections it matches: allow them or deny them.
 *
 * <p>Consul writes an action in lower case on the wire ({@link #wireName()}: {@code "allow"},
 * {@code "deny"}) and in upper case in authorization reasons ({@link #name()}: {@code ALLOW},
 * {@code DENY}).
 */
public enum IntentionAction {
  /** Connections that match are allowed. */
  ALLOW("allow"),
  /** Connections that match are denied. */
  DENY("deny");

  private final String wireName;

  IntentionAction(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Parses the wire form of an action, case-sensitively, as Consul does.
   *
   * @param wireName {@code allow} or {@code deny}
   * @return the action
   * @throws IllegalArgumentException for anything else, with Consul's message and the value
   */
  public static IntentionAction parse(String wireName) {
    requireNonNull(wireName, "wireName");
    switch (wireName) {
      case "allow":
        return ALLOW;
      case "deny":
        return DENY;
      default:
        throw new IllegalArgumentException("Action must be set to 'allow' or 'deny': \""
            + InvalidSpiffeIdException.escape(wireName, 64) + "\"");
    }
  }

  /** Returns the action as Consul's API writes it: {@code allow} or {@code deny}. */
  public String wireName() {
    return wireName;
  }
}
