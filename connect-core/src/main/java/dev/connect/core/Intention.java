package dev.connect.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A rule that allows or denies connections from one service to another: from a {@link #source()}
 * to a {@link #destination()}, each a namespace and a name that may be the wildcard {@code *}.
 *
 * <p><b>Precedence.</b> Several intentions can match one connection: {@code web => db},
 * {@code * => db}, {@code web => *} and {@code * => *} all match {@code web} calling {@code db}.
 * The most specific one decides, and {@link #precedence()} measures how specific it is, exactly as
 * Consul computes it: the destination counts first, the source breaks the tie.
 *
 * <table>
 *   <caption>Precedence by the shape of source and destination</caption>
 *   <tr><th>source</th><th>destination</th><th>precedence</th></tr>
 *   <tr><td>{@code ns/name}</td><td>{@code ns/name}</td><td>9</td></tr>
 *   <tr><td>{@code ns/*}</td><td>{@code ns/name}</td><td>8</td></tr>
 *   <tr><td><code>*&#47;*</code></td><td>{@code ns/name}</td><td>7</td></tr>
 *   <tr><td>{@code ns/name}</td><td>{@code ns/*}</td><td>6</td></tr>
 *   <tr><td>{@code ns/*}</td><td>{@code ns/*}</td><td>5</td></tr>
 *   <tr><td><code>*&#47;*</code></td><td>{@code ns/*}</td><td>4</td></tr>
 *   <tr><td>{@code ns/name}</td><td><code>*&#47;*</code></td><td>3</td></tr>
 *   <tr><td>{@code ns/*}</td><td><code>*&#47;*</code></td><td>2</td></tr>
 *   <tr><td><code>*&#47;*</code></td><td><code>*&#47;*</code></td><td>1</td></tr>
 * </table>
 *
 * <p>Consul Community Edition has only the {@code default} namespace, so a plain {@code *} there
 * means {@code default/*}, and only 9 ({@code web => db}), 8 ({@code * => db}), 6 ({@code web =>
 * *}) and 5 ({@code * => *}) occur; the embedded server refuses to store an intention in another
 * namespace or on <code>*&#47;*</code>, so the other rows only describe intentions built here or
 * stored by an earlier version. For one concrete source and destination, each precedence
 * matches at most one intention, because there is one intention per (source, destination) pair;
 * so the winner is never a tie between an allow and a deny. Consul's documentation warns that the
 * numbers may change but their order will not: compare precedences, do not store them.
 *
 * <p><b>Sharp edges.</b> A deny on {@code * => *} (precedence 5) loses to an allow on {@code web
 * => *} (6): "deny everything" is only the default for what nothing more specific allows. A new
 * intention affects new connections only; established ones are not checked again. L7 intentions
 * (HTTP permissions instead of an action) are not modelled yet.
 *
 * <p>{@link #toString()} writes an intention as Consul does in its authorization reasons, for
 * example {@code default/web => default/db (Precedence: 9, Action: ALLOW)}.
 *
 * @param id the intention's UUID, or the empty string for one written through Consul's exact
 *     or config-entry API, which have none
 * @param source the services the rule applies to as clients
 * @param destination the services the rule applies to as servers
 * @param action whether matching connections are allowed or denied
 * @param description free text, at most 512 bytes in UTF-8; empty when there is none
 * @param meta metadata, at most 64 pairs, keys at most 128 and values at most 512 bytes in UTF-8;
 *     kept sorted by key
 * @param createIndex the state index at which the intention was created; 0 when not stored
 * @param modifyIndex the state index at which it last changed, at least {@code createIndex}
 * @param createdAt when it was created, if known; intentions written through the exact API have
 *     no time
 * @param updatedAt when it last changed, if known
 */
public record Intention(String id, IntentionTarget source, IntentionTarget destination,
    IntentionAction action, String description, Map<String, String> meta, long createIndex,
    long modifyIndex, Optional<Instant> createdAt, Optional<Instant> updatedAt) {

  /** The most pairs {@link #meta()} may hold, as in Consul. */
  public static final int MAX_META_PAIRS = 64;
  /** The longest {@link #meta()} key, in UTF-8 bytes, as in Consul. */
  public static final int MAX_META_KEY_LENGTH = 128;
  /** The longest {@link #meta()} value and {@link #description()}, in UTF-8 bytes, as in Consul. */
  public static final int MAX_META_VALUE_LENGTH = 512;

  /**
   * Validates every part and copies {@code meta}.
   *
   * @throws IllegalArgumentException if {@code id} is neither empty nor a UUID, a limit on
   *     {@code description} or {@code meta} is exceeded (with Consul's message), or an index is
   *     negative or {@code modifyIndex} is less than {@code createIndex}; the message names the
   *     offending value
   */
  public Intention {
    requireNonNull(id, "id");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(action, "action");
    requireNonNull(description, "description");
    requireNonNull(meta, "meta");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(updatedAt, "updatedAt");
    if (!id.isEmpty() && !isUuid(id)) {
      throw new IllegalArgumentException("id must be empty or a UUID such as"
          + " 353609c9-81a8-0081-5b0a-5608979d6d3a: \"" + escape(id, 64) + "\"");
    }
    if (utf8Length(description) > MAX_META_VALUE_LENGTH) {
      throw new IllegalArgumentException("Description exceeds maximum length "
          + MAX_META_VALUE_LENGTH + ": " + utf8Length(description) + " bytes");
    }
    meta = copyMeta(meta);
    if (createIndex < 0) {
      throw new IllegalArgumentException("createIndex must not be negative: " + createIndex);
    }
    if (modifyIndex < createIndex) {
      throw new IllegalArgumentException("modifyIndex must not be less than createIndex: "
          + modifyIndex + " < " + createIndex);
    }
  }

  /**
   * Returns an intention with no ID, description, metadata, indexes or times, as Consul's exact
   * API makes one.
   *
   * @param source the source, parsed by {@link IntentionTarget#parse(String)}, such as {@code web}
   *     or {@code *}
   * @param destination the destination, parsed the same way
   * @param action allow or deny
   * @return the intention
   * @throws IllegalArgumentException if a target is not valid
   */
  public static Intention of(String source, String destination, IntentionAction action) {
    return builder(IntentionTarget.parse(source), IntentionTarget.parse(destination), action)
        .build();
  }

  /**
   * Returns a builder for an intention; every other part starts empty or zero.
   *
   * @param source the source
   * @param destination the destination
   * @param action allow or deny
   * @return a new builder
   */
  public static Builder builder(IntentionTarget source, IntentionTarget destination,
      IntentionAction action) {
    return new Builder(requireNonNull(source, "source"),
        requireNonNull(destination, "destination"), requireNonNull(action, "action"));
  }

  /**
   * Returns how specific this intention is, from 9 ({@code ns/name => ns/name}) down to 1
   * (<code>*&#47;* =&gt; *&#47;*</code>); see the table above. Computed from the source and
   * destination, as Consul does.
   *
   * @return the precedence, 1 to 9
   */
  public int precedence() {
    return precedenceOf(source, destination);
  }

  /**
   * Returns the intention as Consul's {@code Intention.String()} writes it: {@code default/web =>
   * default/db (ID: <id>, Precedence: 9, Action: ALLOW)}, without the {@code ID: <id>, } part
   * when the ID is empty.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(96).append(source).append(" => ").append(destination)
        .append(" (");
    if (!id.isEmpty()) {
      s.append("ID: ").append(id).append(", ");
    }
    return s.append("Precedence: ").append(precedence()).append(", Action: ")
        .append(action.name()).append(')').toString();
  }

  static int precedenceOf(IntentionTarget source, IntentionTarget destination) {
    // agent/structs/intention.go UpdatePrecedence: 9, 6 or 3 by destination exactness, less
    // one for each inexact part of the source.
    return 3 * destination.exactness() + source.exactness() + 1;
  }

  private static Map<String, String> copyMeta(Map<String, String> meta) {
    if (meta.size() > MAX_META_PAIRS) {
      throw new IllegalArgumentException("Meta exceeds maximum element count " + MAX_META_PAIRS
          + ": " + meta.size() + " pairs");
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : meta.entrySet()) {
      String key = requireNonNull(e.getKey(), "meta key");
      String value = requireNonNull(e.getValue(), "meta value for key " + key);
      if (utf8Length(key) > MAX_META_KEY_LENGTH) {
        throw new IllegalArgumentException("Meta key \"" + escape(key, 64)
            + "\" exceeds maximum length " + MAX_META_KEY_LENGTH + ": " + utf8Length(key)
            + " bytes");
      }
      if (utf8Length(value) > MAX_META_VALUE_LENGTH) {
        throw new IllegalArgumentException("Meta value for key \"" + escape(key, 64)
            + "\" exceeds maximum length " + MAX_META_VALUE_LENGTH + ": " + utf8Length(value)
            + " bytes");
      }
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }

  private static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23
          ? c == '-'
          : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int utf8Length(String s) {
    return s.getBytes(UTF_8).length;
  }

  private static String escape(String s, int max) {
    return InvalidSpiffeIdException.escape(s, max);
  }

  /**
   * A builder of {@link Intention}s. Each setting may be given once; {@link #build()} validates
   * them all.
   */
  public static final class Builder {
    private final IntentionTarget source;
    private final IntentionTarget destination;
    private final IntentionAction action;
    private String id;
    private String description;
    private Map<String, String> meta;
    private Long createIndex;
    private Long modifyIndex;
    private Instant createdAt;
    private Instant updatedAt;

    private Builder(IntentionTarget source, IntentionTarget destination, IntentionAction action) {
      this.source = source;
      this.destination = destination;
      this.action = action;
    }

    /**
     * Sets the ID. Default: empty, as for intentions written through Consul's exact API.
     *
     * @param id a UUID such as {@code 353609c9-81a8-0081-5b0a-5608979d6d3a}
     * @return this builder
     * @throws IllegalStateException if the ID was already set
     */
    public Builder id(String id) {
      this.id = once("id", this.id, requireNonNull(id, "id"));
      return this;
    }

    /**
     * Sets the description. Default: empty.
     *
     * @param description free text, at most 512 bytes in UTF-8 (checked by {@link #build()})
     * @return this builder
     * @throws IllegalStateException if the description was already set
     */
    public Builder description(String description) {
      this.description =
          once("description", this.description, requireNonNull(description, "description"));
      return this;
    }

    /**
     * Sets the metadata; the map is copied by {@link #build()}. Default: none.
     *
     * @param meta at most 64 pairs (checked by {@link #build()})
     * @return this builder
     * @throws IllegalStateException if the metadata was already set
     */
    public Builder meta(Map<String, String> meta) {
      this.meta = once("meta", this.meta, new LinkedHashMap<>(requireNonNull(meta, "meta")));
      return this;
    }

    /**
     * Sets the index at which the intention was created. Default: 0.
     *
     * @param createIndex a state index, not negative (checked by {@link #build()})
     * @return this builder
     * @throws IllegalStateException if the create index was already set
     */
    public Builder createIndex(long createIndex) {
      this.createIndex = once("createIndex", this.createIndex, createIndex);
      return this;
    }

    /**
     * Sets the index at which the intention last changed. Default: the create index.
     *
     * @param modifyIndex a state index, at least the create index (checked by {@link #build()})
     * @return this builder
     * @throws IllegalStateException if the modify index was already set
     */
    public Builder modifyIndex(long modifyIndex) {
      this.modifyIndex = once("modifyIndex", this.modifyIndex, modifyIndex);
      return this;
    }

    /**
     * Sets when the intention was created. Default: unknown.
     *
     * @param createdAt an instant
     * @return this builder
     * @throws IllegalStateException if the time was already set
     */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = once("createdAt", this.createdAt, requireNonNull(createdAt, "createdAt"));
      return this;
    }

    /**
     * Sets when the intention last changed. Default: unknown.
     *
     * @param updatedAt an instant
     * @return this builder
     * @throws IllegalStateException if the time was already set
     */
    public Builder updatedAt(Instant updatedAt) {
      this.updatedAt = once("updatedAt", this.updatedAt, requireNonNull(updatedAt, "updatedAt"));
      return this;
    }

    /**
     * Returns the intention.
     *
     * @return a new intention
     * @throws IllegalArgumentException as {@link Intention}'s constructor does
     */
    public Intention build() {
      long create = createIndex == null ? 0 : createIndex;
      return new Intention(id == null ? "" : id, source, destination, action,
          description == null ? "" : description, meta == null ? Map.of() : meta, create,
          modifyIndex == null ? create : modifyIndex, Optional.ofNullable(createdAt),
          Optional.ofNullable(updatedAt));
    }

    private static <T> T once(String setting, T current, T value) {
      return BuilderOptions.once(setting, current, value);
    }
  }
}
