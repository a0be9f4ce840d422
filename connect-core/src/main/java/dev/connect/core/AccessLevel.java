package dev.connect.core;

import static java.util.Objects.requireNonNull;

import dev.connect.core.internal.AclGoSyntax;

import java.util.Locale;

/**
 * The access an ACL rule grants to a resource, or the access a {@link Permission} asks for: the
 * {@code policy = "..."} value of Consul's rule language.
 *
 * <p>Constants are declared from least to most permissive, so {@link #compareTo} orders them by
 * what they grant: {@code WRITE} grants read, list and write; {@code LIST} (key rules only) grants
 * list and read; {@code READ} grants read; {@code DENY} grants nothing and stops the search for a
 * less specific rule (see {@link #grants}).
 *
 * <p>Merging is a different order. When several policies of one token have a rule for the same
 * resource name, Consul keeps {@code deny} first, then {@code write}, {@code list}, {@code read}
 * (acl/policy.go {@code takesPrecedenceOver}): an explicit deny in any policy wins. {@link
 * AclAuthorizer} applies that merge.
 */
public enum AccessLevel {
  /** Grants nothing; Consul's {@code "deny"}. */
  DENY("deny"),
  /** Grants reading; Consul's {@code "read"}. */
  READ("read"),
  /** Grants reading and listing; Consul's {@code "list"}, valid only on {@code key} rules. */
  LIST("list"),
  /** Grants reading, listing and writing; Consul's {@code "write"}. */
  WRITE("write");

  private final String text;

  AccessLevel(String text) {
    this.text = text;
  }

  /** Returns the level as Consul writes it in rules: {@code "deny"}, {@code "read"}, ... */
  public String text() {
    return text;
  }

  /**
   * Returns whether a rule with this level allows an operation that needs {@code required}, as
   * Consul's {@code enforce} decides (acl/policy_authorizer.go).
   *
   * @param required the access an operation needs; {@code READ}, {@code LIST} or {@code WRITE}
   * @return true if this level grants it
   */
  public boolean grants(AccessLevel required) {
    requireNonNull(required, "required");
    switch (this) {
      case WRITE:
        return true;
      case LIST:
        return required == LIST || required == READ;
      case READ:
        return required == READ;
      default:
        return false;
    }
  }

  /**
   * Returns the level with the given name, ignoring case as Consul's {@code
   * AccessLevelFromString} does.
   *
   * @param text {@code deny}, {@code read}, {@code list} or {@code write}
   * @return the level
   * @throws IllegalArgumentException naming the text if it is none of those
   */
  public static AccessLevel parse(String text) {
    requireNonNull(text, "text");
    AccessLevel level = parseOrNull(text);
    if (level == null) {
      throw new IllegalArgumentException(
          AclGoSyntax.quote(text) + " is not a valid access level"
              + " (expected deny, read, list or write)");
    }
    return level;
  }

  static AccessLevel parseOrNull(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "deny":
        return DENY;
      case "read":
        return READ;
      case "list":
        return LIST;
      case "write":
        return WRITE;
      default:
        return null;
    }
  }

  /**
   * Returns whether this level wins over {@code other} when two policies of one token have a rule
   * for the same name: deny, then write, list, read (acl/policy.go {@code takesPrecedenceOver}).
   */
  boolean takesPrecedenceOver(AccessLevel other) {
    if (this == other) {
      return false;
    }
    if (this == DENY) {
      return true;
    }
    if (other == DENY) {
      return false;
    }
    return this.compareTo(other) > 0;
  }
}
