package dev.connect.test;

import static java.util.Objects.requireNonNull;

import dev.connect.core.Decision;
import dev.connect.core.Intention;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an authorization {@link Decision}. Made by {@link
 * ConnectAssertions#assertThat(Decision)}. Failure messages show the decision's outcome and
 * its reason.
 */
public final class DecisionAssert extends AbstractAssert<DecisionAssert, Decision> {

  DecisionAssert(Decision actual) {
    super(actual, DecisionAssert.class);
  }

  private static String outcome(Decision decision) {
    return decision.allowed() ? "allowed" : "denied";
  }

  /**
   * Verifies that the connection was allowed.
   *
   * @return this
   */
  public DecisionAssert isAllowed() {
    isNotNull();
    if (!actual.allowed()) {
      failWithMessage("%nExpecting the decision to allow but it denied, with reason%n  %s",
          actual.reason());
    }
    return this;
  }

  /**
   * Verifies that the connection was denied.
   *
   * @return this
   */
  public DecisionAssert isDenied() {
    isNotNull();
    if (actual.allowed()) {
      failWithMessage("%nExpecting the decision to deny but it allowed, with reason%n  %s",
          actual.reason());
    }
    return this;
  }

  /**
   * Verifies the reason, exactly, such as {@code Default behavior configured by ACLs}.
   *
   * @param reason the expected reason
   * @return this
   */
  public DecisionAssert hasReason(String reason) {
    requireNonNull(reason, "reason");
    isNotNull();
    if (!actual.reason().equals(reason)) {
      failWithMessage("%nExpecting the decision (%s) to have the reason%n  %s%nbut it was%n  %s",
          outcome(actual), reason, actual.reason());
    }
    return this;
  }

  /**
   * Verifies that the reason contains {@code text}, such as {@code "Matched L4 intention"}.
   *
   * @param text the expected part of the reason
   * @return this
   */
  public DecisionAssert hasReasonContaining(String text) {
    requireNonNull(text, "text");
    isNotNull();
    if (!actual.reason().contains(text)) {
      failWithMessage("%nExpecting the reason of the decision (%s)%n  %s%nto contain%n  %s",
          outcome(actual), actual.reason(), text);
    }
    return this;
  }

  /**
   * Verifies that {@code intention} made the decision.
   *
   * @param intention the intention expected to have matched
   * @return this
   */
  public DecisionAssert wasDecidedBy(Intention intention) {
    requireNonNull(intention, "intention");
    isNotNull();
    if (!actual.intention().equals(java.util.Optional.of(intention))) {
      failWithMessage("%nExpecting the decision (%s, %s) to be made by the intention%n  %s%n"
          + "but it was made by %s", outcome(actual), actual.reason(), intention,
          actual.intention().map(Object::toString).orElse("no intention (a default)"));
    }
    return this;
  }

  /**
   * Verifies that no intention made the decision: a default policy, or a malformed client
   * identity, did.
   *
   * @return this
   */
  public DecisionAssert wasDecidedByDefault() {
    isNotNull();
    if (actual.intention().isPresent()) {
      failWithMessage("%nExpecting the decision (%s, %s) to be made by no intention but it was"
          + " made by%n  %s", outcome(actual), actual.reason(), actual.intention().get());
    }
    return this;
  }
}
