package dev.connect.core;

import static java.util.Objects.requireNonNull;

/**
 * One side of an {@link Intention}: a namespace and a service name, each either exact or the
 * wildcard {@code *}, written {@code namespace/name} as Consul writes it ({@code default/web}).
 *
 * <p>Three shapes exist, from most to least specific: {@code ns/name} (exact), {@code ns/*}
 * (every service in one namespace) and <code>*&#47;*</code> (every service). The wildcard stands
 * only for a whole value: {@code we*} is rejected rather than read as a prefix, and so is an
 * exact name under a wildcard namespace (<code>*&#47;web</code>), as in Consul.
 *
 * <p>Intentions live in the {@code default} admin partition (Consul Community Edition): a service
 * in any other partition matches no target.
 *
 * @param namespace the namespace, or {@code *}; Consul Community Edition only has {@code default}
 * @param name the service name, or {@code *}
 */
public record IntentionTarget(String namespace, String name) {
  /** The wildcard, which stands for every namespace or every service name. */
  public static final String WILDCARD = "*";

  /**
   * Validates both parts.
   *
   * @throws IllegalArgumentException if a part is empty, contains {@code /}, uses {@code *} as
   *     part of a longer value, or the name is exact under a wildcard namespace; the message names
   *     the offending value
   */
  public IntentionTarget {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    check(namespace, name, null);
  }

  /**
   * Returns the target with the given namespace and name.
   *
   * @param namespace the namespace, or {@code *}
   * @param name the service name, or {@code *}
   * @return the target
   * @throws IllegalArgumentException as the constructor does
   */
  public static IntentionTarget of(String namespace, String name) {
    return new IntentionTarget(namespace, name);
  }

  /**
   * Parses a target as Consul's HTTP API takes it: {@code name} (in the {@code default}
   * namespace) or {@code namespace/name}; {@code *} and <code>*&#47;*</code> are wildcards.
   *
   * @param text for example {@code web}, {@code *} or {@code default/web}
   * @return the target
   * @throws IllegalArgumentException if {@code text} has more than one {@code /} or a part is
   *     not valid; the message names {@code text}
   */
  public static IntentionTarget parse(String text) {
    requireNonNull(text, "text");
    int slash = text.indexOf('/');
    if (slash < 0) {
      check(ConnectId.DEFAULT_NAMESPACE, text, text);
      return new IntentionTarget(ConnectId.DEFAULT_NAMESPACE, text);
    }
    if (text.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "intention target must be name or namespace/name: \"" + escape(text) + "\"");
    }
    String namespace = text.substring(0, slash);
    String name = text.substring(slash + 1);
    check(namespace, name, text);
    return new IntentionTarget(namespace, name);
  }

  /** Tells whether neither the namespace nor the name is a wildcard. */
  public boolean isExact() {
    return !name.equals(WILDCARD);
  }

  /**
   * Tells whether a service is one this target stands for: its partition is {@code default},
   * and the namespace and name are each the wildcard or equal (case-sensitive).
   *
   * @param service a service identity
   * @return true when the target covers {@code service}
   */
  public boolean matches(ServiceId service) {
    requireNonNull(service, "service");
    return service.partition().equals(ConnectId.DEFAULT_PARTITION)
        && matches(service.namespace(), service.service());
  }

  /**
   * Tells whether the service {@code namespace/name} in the {@code default} partition is one this
   * target stands for. The arguments are taken literally: a {@code *} passed here is a name, not
   * a wildcard.
   *
   * @param namespace a concrete namespace
   * @param name a concrete service name
   * @return true when the target covers that service
   */
  public boolean matches(String namespace, String name) {
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
    return (this.namespace.equals(WILDCARD) || this.namespace.equals(namespace))
        && (this.name.equals(WILDCARD) || this.name.equals(name));
  }

  /** Returns {@code namespace/name}, as Consul writes a target, for example {@code default/*}. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }

  /** Returns 2 for {@code ns/name}, 1 for {@code ns/*}, 0 for <code>*&#47;*</code>. */
  int exactness() {
    return namespace.equals(WILDCARD) ? 0 : name.equals(WILDCARD) ? 1 : 2;
  }

  /**
   * Checks both parts. {@code input} is the text the caller wrote, or null for {@code
   * namespace/name}; a message about an empty part names it, since the empty part alone says
   * nothing (review finding: {@code parse("/web")} said only "namespace must not be empty").
   * Every value in a message is escaped and shortened, as {@link InvalidSpiffeIdException} does.
   */
  private static void check(String namespace, String name, String input) {
    checkPart("namespace", namespace, namespace, name, input);
    checkPart("name", name, namespace, name, input);
    if (namespace.equals(WILDCARD) && !name.equals(WILDCARD)) {
      throw new IllegalArgumentException("exact value cannot follow wildcard namespace: \""
          + escape(input != null ? input : namespace + "/" + name) + "\"");
    }
  }

  private static void checkPart(String what, String value, String namespace, String name,
      String input) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty: \""
          + escape(input != null ? input : namespace + "/" + name) + "\"");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          what + " must not contain '/': \"" + escape(value) + "\"");
    }
    if (value.indexOf('*') >= 0 && !value.equals(WILDCARD)) {
      throw new IllegalArgumentException(what + ": wildcard character '*' cannot be used with"
          + " partial values: \"" + escape(value) + "\"");
    }
  }

  private static String escape(String value) {
    return InvalidSpiffeIdException.escape(value, 256);
  }
}
