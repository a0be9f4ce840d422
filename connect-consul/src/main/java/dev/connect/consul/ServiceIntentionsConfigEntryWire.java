package dev.connect.consul;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A {@code service-intentions} config entry ({@code GET /v1/config/service-intentions/<name>}): every
 * intention with one destination, as Consul 1.9+ stores them.
 *
 * <p>A wire record: each component mirrors one JSON field; {@code null} means the field is
 * absent (or {@code null}) on the wire, and an absent field is not written.
 *
 * @param kind {@code Kind}
 * @param name {@code Name}
 * @param sources {@code Sources}
 * @param meta {@code Meta}
 * @param createIndex {@code CreateIndex}
 * @param modifyIndex {@code ModifyIndex}
 */
public record ServiceIntentionsConfigEntryWire(
    @JsonProperty("Kind") String kind,
    @JsonProperty("Name") String name,
    @JsonProperty("Sources") List<SourceIntentionWire> sources,
    @JsonProperty("Meta") Map<String, String> meta,
    @JsonProperty("CreateIndex") Long createIndex,
    @JsonProperty("ModifyIndex") Long modifyIndex) {

  /** Copies the lists and maps, which must not contain {@code null} elements. */
  public ServiceIntentionsConfigEntryWire {
    sources = Wire.list(sources, "Sources");
    meta = Wire.map(meta, "Meta");
  }
}
