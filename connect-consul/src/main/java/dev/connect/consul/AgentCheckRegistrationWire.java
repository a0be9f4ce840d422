package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A health check registered with a service ({@code Check} or {@code Checks} of a registration).
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param checkId {@code CheckID}
 * @param name {@code Name}
 * @param args {@code Args}
 * @param dockerContainerId {@code DockerContainerID}
 * @param shell {@code Shell}
 * @param interval {@code Interval}
 * @param timeout {@code Timeout}
 * @param ttl {@code TTL}
 * @param http {@code HTTP}
 * @param header {@code Header}
 * @param method {@code Method}
 * @param body {@code Body}
 * @param tcp {@code TCP}
 * @param status {@code Status}
 * @param notes {@code Notes}
 * @param tlsServerName {@code TLSServerName}
 * @param tlsSkipVerify {@code TLSSkipVerify}
 * @param grpc {@code GRPC}
 * @param grpcUseTls {@code GRPCUseTLS}
 * @param aliasNode {@code AliasNode}
 * @param aliasService {@code AliasService}
 * @param successBeforePassing {@code SuccessBeforePassing}
 * @param failuresBeforeCritical {@code FailuresBeforeCritical}
 * @param deregisterCriticalServiceAfter {@code DeregisterCriticalServiceAfter}
 * @param scriptArgs {@code ScriptArgs}
 * @param serviceId {@code ServiceID}
 */
public record AgentCheckRegistrationWire(
    @JsonProperty("CheckID") String checkId,
    @JsonProperty("Name") String name,
    @JsonProperty("Args") List<String> args,
    @JsonProperty("DockerContainerID") String dockerContainerId,
    @JsonProperty("Shell") String shell,
    @JsonProperty("Interval") String interval,
    @JsonProperty("Timeout") String timeout,
    @JsonProperty("TTL") String ttl,
    @JsonProperty("HTTP") String http,
    @JsonProperty("Header") Map<String, List<String>> header,
    @JsonProperty("Method") String method,
    @JsonProperty("Body") String body,
    @JsonProperty("TCP") String tcp,
    @JsonProperty("Status") String status,
    @JsonProperty("Notes") String notes,
    @JsonProperty("TLSServerName") String tlsServerName,
    @JsonProperty("TLSSkipVerify") Boolean tlsSkipVerify,
    @JsonProperty("GRPC") String grpc,
    @JsonProperty("GRPCUseTLS") Boolean grpcUseTls,
    @JsonProperty("AliasNode") String aliasNode,
    @JsonProperty("AliasService") String aliasService,
    @JsonProperty("SuccessBeforePassing") Integer successBeforePassing,
    @JsonProperty("FailuresBeforeCritical") Integer failuresBeforeCritical,
    @JsonProperty("DeregisterCriticalServiceAfter") String deregisterCriticalServiceAfter,
    @JsonProperty("ScriptArgs") List<String> scriptArgs,
    @JsonProperty("ServiceID") String serviceId) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public AgentCheckRegistrationWire {
    args = Wire.list(args, "Args");
    header = Wire.map(header, "Header");
    scriptArgs = Wire.list(scriptArgs, "ScriptArgs");
  }
}
