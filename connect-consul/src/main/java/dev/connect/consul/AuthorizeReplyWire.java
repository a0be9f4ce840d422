package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.connect.core.Decision;

/**
 * The reply of {@code POST /v1/agent/connect/authorize}: the decision and Consul's reason text.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param authorized {@code Authorized}
 * @param reason {@code Reason}
 */
public record AuthorizeReplyWire(
    @JsonProperty("Authorized") Boolean authorized,
    @JsonProperty("Reason") String reason) {

/**
 * Returns the reply for {@code decision}.
 *
 * @param decision the decision
 * @return the wire record
 */
public static AuthorizeReplyWire from(Decision decision) {
  return new AuthorizeReplyWire(decision.allowed(), decision.reason());
}
}
