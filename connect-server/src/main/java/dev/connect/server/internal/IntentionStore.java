package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.core.UntrustedText;
import dev.connect.core.ConnectException;
import dev.connect.core.ConnectId;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import dev.connect.core.IntentionTarget;
import dev.connect.core.Intentions;
import dev.connect.core.ServiceNames;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable intentions of the embedded server: {@code intentions.json} (checksummed, owner
 * only) and the live {@link Intentions} index built from it.
 *
 * <p>The index is immutable; each write builds a new one, writes the file, and only then swaps
 * it in, so readers never lock and never see a change that is not on disk. A write rewrites the
 * whole file, which is fine for thousands of intentions, not for millions.
 */
public final class IntentionStore {
  /** The table every intention write bumps. */
  public static final String TABLE = "intentions";
  /** The file that holds the intentions. */
  public static final String FILE = "intentions.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(IntentionStore.class);

  /**
   * What {@code intentions.json} holds.
   *
   * @param intentions every intention, most precedent first
   */
  public record Persisted(List<Entry> intentions) {
    /** Copies the list. */
    public Persisted {
      intentions = List.copyOf(intentions);
    }
  }

  /**
   * One stored intention; times are ISO-8601 instants, or empty when unknown.
   *
   * @param id the UUID, or empty
   * @param sourceNamespace source namespace or {@code *}
   * @param sourceName source name or {@code *}
   * @param destinationNamespace destination namespace or {@code *}
   * @param destinationName destination name or {@code *}
   * @param action {@code allow} or {@code deny}
   * @param description free text
   * @param meta metadata
   * @param createIndex index of its creation
   * @param modifyIndex index of its last change
   * @param createdAt creation time, or empty
   * @param updatedAt last change time, or empty
   */
  public record Entry(String id, String sourceNamespace, String sourceName,
      String destinationNamespace, String destinationName, String action, String description,
      Map<String, String> meta, long createIndex, long modifyIndex, String createdAt,
      String updatedAt) {}

  private final Path file;
  private final IndexFloor floor;
  private final Clock clock;
  private final boolean existed;
  private volatile Intentions current;

  private IntentionStore(Path file, IndexFloor floor, Clock clock, boolean existed,
      Intentions current) {
    this.file = file;
    this.floor = floor;
    this.clock = clock;
    this.existed = existed;
    this.current = current;
  }

  /**
   * Loads the intentions of {@code directory}, none if it has no file, and tells {@code floor}
   * the indexes they carry. Whether a missing file is acceptable is not decided here but by
   * {@link CaStore#open}, which knows whether the directory is new; see {@link #initialFile()}.
   *
   * @throws DataDirectoryException if the file is corrupt or holds an invalid intention
   * @throws IOException if it cannot be read
   */
  public static IntentionStore load(Path directory, IndexFloor floor, Clock clock)
      throws IOException {
    requireNonNull(floor, "floor");
    requireNonNull(clock, "clock");
    Path file = requireNonNull(directory, "directory").resolve(FILE);
    Optional<Persisted> stored;
    try {
      stored = ChecksummedFile.readIfExists(file, Persisted.class, MAPPER);
    } catch (CorruptStateException e) {
      throw new DataDirectoryException(file, "corrupt intentions file (" + e.problem()
          + "); restore it from a backup", e);
    }
    List<Intention> intentions = new ArrayList<>();
    if (stored.isPresent()) {
      try {
        for (Entry e : stored.get().intentions()) {
          Intention intention = fromEntry(e);
          warnIfNotWritable(file, intention);
          intentions.add(intention);
          floor.observe(e.modifyIndex());
        }
        return new IntentionStore(file, floor, clock, true, Intentions.of(intentions));
      } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
        throw new DataDirectoryException(file, "holds an invalid intention: " + e.getMessage(),
            e);
      }
    }
    return new IntentionStore(file, floor, clock, false, Intentions.empty());
  }

  /**
   * Logs an intention an earlier build stored though today's writes refuse it. It is kept, so it
   * can still be read and deleted (refusing the whole directory for it would stop every service),
   * but it cannot be updated, and it matches no leaf this server issues.
   */
  private static void warnIfNotWritable(Path file, Intention intention) {
    try {
      requireWritable(intention.source(), intention.destination());
    } catch (IllegalArgumentException e) {
      log.warn("{} holds intention {} that is no longer accepted and matches no leaf this server"
          + " issues; delete it: {}", file, intention.id(), e.getMessage());
    }
  }

  /** Returns {@code intentions.json} as a file every initialized data directory holds. */
  public InitialFile initialFile() {
    return new InitialFile() {
      @Override
      public Path path() {
        return file;
      }

      @Override
      public boolean existed() {
        return existed;
      }

      @Override
      public String lostWithout() {
        return "every intention would be gone, and with ACLs off every connection allowed";
      }

      @Override
      public void writeEmpty() throws IOException {
        ChecksummedFile.write(file, new Persisted(List.of()), MAPPER, FileMode.OWNER_ONLY);
        current = Intentions.empty();
      }
    };
  }

  /** Returns the live intentions; never blocks. */
  public Intentions current() {
    return current;
  }

  /**
   * Refuses an intention write that {@link #requireDefaultNamespace} refuses, or whose source or
   * destination name is neither the wildcard {@code *} nor a {@linkplain ServiceNames service
   * name}: such an intention names a service no leaf can be issued for, and so matches nothing.
   * Checked before any ACL check, as Consul validates an intention first.
   *
   * @throws IllegalArgumentException naming the offending target and value
   */
  public static void requireWritable(IntentionTarget source, IntentionTarget destination) {
    requireDefaultNamespace(source, destination);
    checkName("source", source);
    checkName("destination", destination);
  }

  private static void checkName(String side, IntentionTarget target) {
    if (target.name().equals(IntentionTarget.WILDCARD)) {
      return;
    }
    try {
      ServiceNames.check(target.name());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("intention " + side + " \""
          + UntrustedText.shown(target.toString()) + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses an intention write whose source or destination is not in the {@code default}
   * namespace, as Consul Community Edition does since 1.7 ("Namespaces is a Consul Enterprise
   * feature"): the CA signs leaves for the {@code default} namespace only, so such an intention
   * could never match a connection. The wildcard namespace is refused too, as in Consul since
   * 1.7; <code>*</code> alone already means every service of {@code default}.
   *
   * @throws IllegalArgumentException naming the offending target
   */
  public static void requireDefaultNamespace(IntentionTarget source,
      IntentionTarget destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    checkNamespace("source", source);
    checkNamespace("destination", destination);
  }

  private static void checkNamespace(String side, IntentionTarget target) {
    String namespace = target.namespace();
    if (namespace.equals(ConnectId.DEFAULT_NAMESPACE)) {
      return;
    }
    String shown = "intention " + side + " \"" + UntrustedText.shown(target.toString()) + "\": ";
    if (namespace.equals(IntentionTarget.WILDCARD)) {
      throw new IllegalArgumentException(shown + "namespaces other than default are not"
          + " supported, the wildcard namespace included (namespaces are a Consul Enterprise"
          + " feature); write \"*\" for every service of the default namespace");
    }
    throw new IllegalArgumentException(shown + "namespaces other than default are not"
        + " supported (namespaces are a Consul Enterprise feature)");
  }

  /**
   * Stores a new intention with a new random ID and the current time, as Consul's legacy
   * create does.
   *
   * @return the stored intention
   * @throws IllegalArgumentException if {@code given} has an ID, its source or destination is
   *     not writable (see {@link #requireWritable}), or an
   *     intention with the same source and destination exists ({@code duplicate intention found:
   *     <existing>})
   * @throws ConnectException if the file cannot be written; nothing changes then
   */
  public Intention create(Intention given) {
    requireNonNull(given, "given");
    requireWritable(given.source(), given.destination());
    if (!given.id().isEmpty()) {
      throw new IllegalArgumentException("ID must be empty when creating a new intention: "
          + given.id());
    }
    return floor.write(w -> {
      Intentions now = current;
      Optional<Intention> existing = now.get(given.source(), given.destination());
      if (existing.isPresent()) {
        throw new IllegalArgumentException("duplicate intention found: " + existing.get());
      }
      String id = newId(now);
      Instant time = clock.instant();
      long at = w.index();
      Intention created = Intention.builder(given.source(), given.destination(), given.action())
          .id(id).description(given.description()).meta(given.meta()).createIndex(at)
          .modifyIndex(at).createdAt(time).updatedAt(time).build();
      List<Intention> next = new ArrayList<>(now.all());
      next.add(created);
      publish(w, next);
      return created;
    });
  }

  /**
   * Creates or updates the intention for a source and destination, as Consul's {@code PUT
   * /v1/connect/intentions/exact} does. An existing intention keeps its ID, metadata and creation
   * time, and gets a new update time if it has times; a new one has no ID and no times, as
   * Consul's exact API makes them. Changing nothing writes nothing.
   *
   * @return the stored intention
   * @throws IllegalArgumentException if the source or destination is outside the {@code
   *     default} namespace or its name is not a service name (see {@link #requireWritable})
   * @throws ConnectException if the file cannot be written; nothing changes then
   */
  public Intention upsert(IntentionTarget source, IntentionTarget destination,
      IntentionAction action, String description) {
    requireNonNull(action, "action");
    requireNonNull(description, "description");
    requireWritable(source, destination);
    return floor.write(w -> {
      Intentions now = current;
      Optional<Intention> existing = now.get(source, destination);
      if (existing.isPresent() && existing.get().action() == action
          && existing.get().description().equals(description)) {
        return existing.get();
      }
      long at = w.index();
      Intention.Builder b = Intention.builder(source, destination, action)
          .description(description).modifyIndex(at);
      List<Intention> next = new ArrayList<>(now.all());
      if (existing.isPresent()) {
        Intention old = existing.get();
        b.id(old.id()).meta(old.meta()).createIndex(old.createIndex());
        old.createdAt().ifPresent(t -> b.createdAt(t).updatedAt(clock.instant()));
        next.remove(old);
      } else {
        b.createIndex(at);
      }
      Intention stored = b.build();
      next.add(stored);
      publish(w, next);
      return stored;
    });
  }

  /**
   * Replaces the intention with this ID, as Consul's legacy {@code PUT
   * /v1/connect/intentions/<id>} does: source, destination, action, description and metadata
   * from {@code given}; the ID, creation index and creation time stay, the update time is now.
   *
   * @return the stored intention
   * @throws IllegalArgumentException if {@code given} has another ID, its source or destination
   *     is not writable (see {@link #requireWritable}), no intention has this ID ({@code Cannot
   *     modify non-existent intention: '<id>'}), or another intention has the new source and
   *     destination ({@code duplicate intention found: <existing>})
   * @throws ConnectException if the file cannot be written; nothing changes then
   */
  public Intention update(String id, Intention given) {
    requireNonNull(id, "id");
    requireNonNull(given, "given");
    requireWritable(given.source(), given.destination());
    if (!given.id().isEmpty() && !given.id().equals(id)) {
      throw new IllegalArgumentException("intention ID " + given.id()
          + " does not match the ID updated: " + id);
    }
    return floor.write(w -> {
      Intentions now = current;
      Intention old = now.byId(id).orElseThrow(() -> new IllegalArgumentException(
          "Cannot modify non-existent intention: '" + id + "'"));
      Optional<Intention> clash = now.get(given.source(), given.destination());
      if (clash.isPresent() && !clash.get().id().equals(id)) {
        throw new IllegalArgumentException("duplicate intention found: " + clash.get());
      }
      long at = w.index();
      Intention.Builder b = Intention.builder(given.source(), given.destination(), given.action())
          .id(id).description(given.description()).meta(given.meta())
          .createIndex(old.createIndex()).modifyIndex(at);
      old.createdAt().ifPresent(t -> b.createdAt(t).updatedAt(clock.instant()));
      Intention stored = b.build();
      List<Intention> next = new ArrayList<>(now.all());
      next.remove(old);
      next.add(stored);
      publish(w, next);
      return stored;
    });
  }

  /**
   * Deletes the intention with this ID.
   *
   * @return whether it existed
   * @throws ConnectException if the file cannot be written; nothing changes then
   */
  public boolean delete(String id) {
    requireNonNull(id, "id");
    return floor.write(w -> {
      Optional<Intention> existing = current.byId(id);
      return existing.isPresent() && remove(w, existing.get());
    });
  }

  /**
   * Deletes the intention for exactly this source and destination.
   *
   * @return whether it existed
   * @throws ConnectException if the file cannot be written; nothing changes then
   */
  public boolean delete(IntentionTarget source, IntentionTarget destination) {
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    return floor.write(w -> {
      Optional<Intention> existing = current.get(source, destination);
      return existing.isPresent() && remove(w, existing.get());
    });
  }

  private boolean remove(IndexFloor.Write w, Intention intention) {
    w.index();
    List<Intention> next = new ArrayList<>(current.all());
    next.remove(intention);
    publish(w, next);
    return true;
  }

  private void publish(IndexFloor.Write w, List<Intention> next) {
    Intentions built = Intentions.of(next);
    List<Entry> entries = new ArrayList<>(built.size());
    for (Intention i : built.all()) {
      entries.add(toEntry(i));
    }
    try {
      ChecksummedFile.write(file, new Persisted(entries), MAPPER, FileMode.OWNER_ONLY);
    } catch (IOException e) {
      throw new ConnectException("cannot write the intentions to " + file
          + "; nothing changed: " + e.getMessage(), e);
    }
    current = built;
    w.commit(TABLE);
  }

  private static String newId(Intentions now) {
    String id = UUID.randomUUID().toString();
    while (now.byId(id).isPresent()) {
      id = UUID.randomUUID().toString();
    }
    return id;
  }

  private static Entry toEntry(Intention i) {
    return new Entry(i.id(), i.source().namespace(), i.source().name(),
        i.destination().namespace(), i.destination().name(), i.action().wireName(),
        i.description(), i.meta(), i.createIndex(), i.modifyIndex(),
        i.createdAt().map(Instant::toString).orElse(""),
        i.updatedAt().map(Instant::toString).orElse(""));
  }

  private static Intention fromEntry(Entry e) {
    Intention.Builder b = Intention.builder(
        IntentionTarget.of(e.sourceNamespace(), e.sourceName()),
        IntentionTarget.of(e.destinationNamespace(), e.destinationName()),
        IntentionAction.parse(e.action()))
        .id(e.id()).description(e.description()).meta(e.meta())
        .createIndex(e.createIndex()).modifyIndex(e.modifyIndex());
    if (!e.createdAt().isEmpty()) {
      b.createdAt(Instant.parse(e.createdAt()));
    }
    if (!e.updatedAt().isEmpty()) {
      b.updatedAt(Instant.parse(e.updatedAt()));
    }
    return b.build();
  }
}
