package dev.connect.core;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The answer to "may this client connect to this service?": allowed or not, the reason in the
 * words Consul 1.10 uses, and the intention that decided, if one did.
 *
 * <p>Reasons, from {@link Intentions#authorize(ServiceId, String, String, DefaultIntentionPolicy)}
 * and {@link Intentions#check(String, String, DefaultIntentionPolicy)}:
 *
 * <ul>
 *   <li>{@code Matched L4 intention: default/web => default/db (Precedence: 9, Action: ALLOW)},
 *       with {@code ID: <id>, } before {@code Precedence} when the intention has an ID;
 *   <li>{@code ACLs disabled, access is allowed by default} and {@code Default behavior
 *       configured by ACLs} when no intention matches (see {@link DefaultIntentionPolicy});
 *   <li>denials Consul answers with an HTTP 400 instead, or does not make at all: {@code
 *       ClientCertURI not a valid Connect identifier: ...}, {@code ClientCertURI not a valid
 *       Service identifier: ...}, {@code Identity from an external trust domain: <host>} and
 *       {@code Mismatched partitions: "<client>" != "<destination>"}.
 * </ul>
 *
 * @param allowed whether the connection may proceed
 * @param reason why, for logs and for Consul's {@code Reason} field; never empty
 * @param intention the intention that decided, or empty when a default or a malformed client
 *     identity did
 */
public record Decision(boolean allowed, String reason, Optional<Intention> intention) {

  /**
   * Checks that the parts are present and the reason is not empty.
   *
   * @throws IllegalArgumentException if {@code reason} is empty
   */
  public Decision {
    requireNonNull(reason, "reason");
    requireNonNull(intention, "intention");
    if (reason.isEmpty()) {
      throw new IllegalArgumentException("reason must not be empty");
    }
  }

  /**
   * Returns a denial that no intention made.
   *
   * @param reason why
   * @return the decision
   */
  static Decision deny(String reason) {
    return new Decision(false, reason, Optional.empty());
  }
}
