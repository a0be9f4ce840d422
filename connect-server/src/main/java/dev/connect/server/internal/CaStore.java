package dev.connect.server.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.ca.BuiltInCaProvider;
import dev.connect.ca.CaConfiguration;
import dev.connect.ca.CaKeySpec;
import dev.connect.ca.CaProvider;
import dev.connect.ca.ExternalCaProvider;
import dev.connect.core.CaRoot;
import dev.connect.core.CaRoots;
import dev.connect.core.ConnectException;
import dev.connect.core.KeyType;
import dev.connect.core.SigningId;
import dev.connect.core.Certificates;
import dev.connect.server.AtomicFiles;
import dev.connect.server.DataDirectoryException;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable CA state of the embedded server: roots, the active root's key and the
 * configuration, in a data directory, with an immutable in-memory {@link Snapshot} that readers
 * take without locking.
 *
 * <p>Layout: {@code state.json} (checksummed, see {@link ChecksummedFile}), {@code keys/} (owner
 * only) with one {@code root-<sha1>.key.pem} per root whose key is kept, and {@code INITIALIZING}
 * while the very first CA is being created. The directory's lock and the index floor belong to
 * the server ({@link DirectoryLock}, {@link IndexFloor}); every write here runs under {@link
 * IndexFloor#write}.
 *
 * <p>Crash safety: a new key is written before the state that names it, and a key is deleted only
 * after the state that stops naming it; keys that no state names are removed on open. A crash
 * during the first creation leaves {@code INITIALIZING}, so the next open starts the creation
 * again; keys, {@code index.json} or another store's file with no state and no marker mean the
 * state was lost, and opening fails rather than replace the CA. The first creation writes {@code
 * index.json} and the other stores' files too, before {@code state.json}, so an initialized
 * directory always holds them, and opening one that lacks any of them fails rather than read it
 * as empty.
 */
public final class CaStore {
  /** Table of the CA roots. */
  public static final String ROOTS = "roots";
  /** Table stamped by each signed leaf. */
  public static final String LEAF = "leaf";
  /** Table of the CA configuration. */
  public static final String CONFIG = "config";
  private static final Logger log = LoggerFactory.getLogger(CaStore.class);
  private static final String STATE_FILE = "state.json";
  private static final String KEYS_DIR = "keys";
  private static final String INIT_MARKER = "INITIALIZING";
  private static final String ROOT_NAME = "Consul CA Root Cert";
  private static final String PROVIDER_FILE = "provider.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * What readers see: one consistent view of roots, configuration and signing provider.
   *
   * @param trustDomain the trust domain
   * @param roots the roots
   * @param rootsIndex the index of the last change to the roots
   * @param config the configuration in force
   * @param provider the provider of the active root
   * @param persisted what is on disk
   */
  public record Snapshot(SigningId trustDomain, CaRoots roots, long rootsIndex,
      CaConfiguration config, CaProvider provider, PersistedState persisted) {}

  /**
   * What {@code provider.json} holds when an external CA provider (Vault) signs: its name and the
   * state it asked to keep. Absent with the built-in CA.
   *
   * @param name the provider's name, such as {@code vault}
   * @param state the provider's {@link ExternalCaProvider#state()}
   */
  public record ProviderState(String name, String state) {}

  private final Path directory;
  private final Path keys;
  private final Clock clock;
  private final IndexFloor floor;
  private final Optional<ExternalCaProvider.Factory> external;
  private final Object externalRotation = new Object();
  private volatile Snapshot snapshot;

  private CaStore(Path directory, Clock clock, IndexFloor floor,
      Optional<ExternalCaProvider.Factory> external) {
    this.directory = directory;
    this.external = external;
    this.keys = directory.resolve(KEYS_DIR);
    this.clock = clock;
    this.floor = floor;
  }

  /**
   * Opens the CA state of the locked directory, creating a CA with {@code initialConfig} if it
   * holds none. Load every other store first: this {@linkplain IndexFloor#resume() resumes} the
   * floor.
   *
   * <p>A new directory gets {@code index.json} and every one of {@code initialFiles}, empty, in
   * the same initialization as the CA, before the {@code state.json} that completes it. An
   * initialized directory missing {@code index.json} or one of them is refused, never filled
   * in; only a directory of an earlier layout (see {@link PersistedState}) has its missing
   * initial files created, once.
   *
   * @param initialFiles the other stores' files, which every initialized directory holds
   * @throws DataDirectoryException if the directory is corrupt or incomplete
   * @throws IOException if it cannot be read or written
   */
  public static CaStore open(DirectoryLock lock, CaConfiguration initialConfig, Clock clock,
      IndexFloor floor, List<InitialFile> initialFiles) throws IOException {
    return open(lock, initialConfig, clock, floor, initialFiles, Optional.empty());
  }

  /**
   * As {@link #open(DirectoryLock, CaConfiguration, Clock, IndexFloor, List)}, with leaves signed
   * by {@code external} instead of the built-in CA when given. A new directory records the
   * provider's state in {@code provider.json}; a directory created with one provider is refused
   * by the other, naming both.
   */
  public static CaStore open(DirectoryLock lock, CaConfiguration initialConfig, Clock clock,
      IndexFloor floor, List<InitialFile> initialFiles,
      Optional<ExternalCaProvider.Factory> external) throws IOException {
    requireNonNull(lock, "lock");
    requireNonNull(external, "external");
    requireNonNull(initialConfig, "initialConfig");
    requireNonNull(clock, "clock");
    requireNonNull(floor, "floor");
    List<InitialFile> files = List.copyOf(initialFiles);
    CaStore store = new CaStore(lock.directory(), clock, floor, external);
    lock.removeStaleTemporaryFiles(store.keys);
    store.load(initialConfig, files);
    return store;
  }

  private void load(CaConfiguration initialConfig, List<InitialFile> files) throws IOException {
    Path stateFile = directory.resolve(STATE_FILE);
    Path marker = directory.resolve(INIT_MARKER);
    Optional<PersistedState> stored;
    try {
      stored = ChecksummedFile.readIfExists(stateFile, PersistedState.class, MAPPER);
    } catch (CorruptStateException e) {
      throw new DataDirectoryException(stateFile, "corrupt state file (" + e.problem()
          + "); refusing to start a new CA over it. Restore it from a backup, or move the data"
          + " directory aside to start a new trust domain", e);
    }
    if (stored.isEmpty()) {
      if (!Files.exists(marker)) {
        List<String> left = leftovers(files);
        if (!left.isEmpty()) {
          throw new DataDirectoryException(directory, "holds " + String.join(", ", left)
              + " but no " + STATE_FILE + "; refusing to start a new CA over them. Restore "
              + STATE_FILE + " from a backup, or move the data directory aside to start a new"
              + " trust domain");
        }
      }
      bootstrap(initialConfig, marker, files);
      return;
    }
    PersistedState state = stored.get();
    if (state.layout() > PersistedState.LAYOUT || state.layout() < 0) {
      throw new DataDirectoryException(stateFile, "unsupported data directory layout "
          + state.layout() + " (this build knows layouts 0 to " + PersistedState.LAYOUT
          + "); was it written by a newer build?");
    }
    if (!floor.existed()) {
      // No other file records the index of a leaf: resuming from what they hold could hand
      // out again an index given to a leaf signed since the CA state last changed.
      throw new DataDirectoryException(floor.file(), "missing: it holds the index floor, the"
          + " one record of the indexes handed out (leaf signatures write no other file), and"
          + " resuming without it could hand out an index twice. Restore the data directory"
          + " from a backup; the file is never recreated");
    }
    if (state.layout() >= 1) {
      for (InitialFile f : files) {
        if (!f.existed()) {
          throw new DataDirectoryException(f.path(), "missing, though it is created with the"
              + " data directory; reading it as empty, " + f.lostWithout() + ". Restore it from a"
              + " backup of the data directory; it is never recreated");
        }
      }
    }
    floor.observe(state.indexFloor());
    floor.observe(state.configModifyIndex());
    for (PersistedState.Root r : state.roots()) {
      floor.observe(r.modifyIndex());
    }
    CaProvider provider = loadActiveProvider(state);
    state = reconcileIntermediates(state, provider);
    if (state.layout() < PersistedState.LAYOUT) {
      state = upgradeLayout(state, files);
    }
    long restored = floor.resume();
    Files.deleteIfExists(marker);
    snapshot = toSnapshot(state, restored, provider);
    removeUnreferencedKeys(state);
  }

  /**
   * Creates the initial files an earlier build had not written yet (it wrote them at their first
   * change, so their absence meant "nothing written"), then records the current layout, so that
   * from now on a missing one is refused. A crash in between repeats this on the next open.
   */
  private PersistedState upgradeLayout(PersistedState state, List<InitialFile> files)
      throws IOException {
    for (InitialFile f : files) {
      if (!f.existed()) {
        f.writeEmpty();
        log.info("created {}, empty: the data directory was written by an earlier build,"
            + " which created it only at its first write", f.path());
      }
    }
    PersistedState upgraded = new PersistedState(PersistedState.LAYOUT, state.clusterId(),
        state.indexFloor(), state.config(), state.configModifyIndex(), state.roots());
    ChecksummedFile.write(directory.resolve(STATE_FILE), upgraded, MAPPER, FileMode.OWNER_ONLY);
    return upgraded;
  }

  /** Names what an initialized directory holds besides {@code state.json}, if anything. */
  private List<String> leftovers(List<InitialFile> files) throws IOException {
    List<String> left = new ArrayList<>();
    if (hasKeys()) {
      left.add("CA keys in " + KEYS_DIR + "/");
    }
    if (Files.exists(directory.resolve(PROVIDER_FILE))) {
      left.add(PROVIDER_FILE);
    }
    if (floor.existed()) {
      left.add(floor.file().getFileName().toString());
    }
    for (InitialFile f : files) {
      if (f.existed()) {
        left.add(f.path().getFileName().toString());
      }
    }
    return left;
  }

  private void bootstrap(CaConfiguration config, Path marker, List<InitialFile> files)
      throws IOException {
    AtomicFiles.write(marker, new byte[0], FileMode.OWNER_ONLY);
    AtomicFiles.createDirectories(keys, FileMode.OWNER_ONLY);
    removeUnreferencedKeys(null);
    String clusterId = UUID.randomUUID().toString();
    SigningId trustDomain = SigningId.of(clusterId + ".consul");
    CaProvider provider;
    String keyFile;
    if (external.isPresent()) {
      ExternalCaProvider ext = external.get().open(trustDomain, config, Optional.empty());
      writeProviderState(ext);
      provider = ext;
      keyFile = "";
    } else {
      BuiltInCaProvider builtIn = BuiltInCaProvider.generate(trustDomain, config, clock);
      keyFile = writeKey(builtIn);
      provider = builtIn;
    }
    for (InitialFile f : files) {
      f.writeEmpty();
    }
    long index = floor.resume();
    PersistedState.Root root = new PersistedState.Root(
        Certificates.toPem(provider.rootCertificate()),
        provider.intermediates().stream().map(Certificates::toPem).toList(), keyFile, true, "",
        index, index);
    PersistedState state = new PersistedState(PersistedState.LAYOUT, clusterId, floor.current(),
        toPersisted(config), index, List.of(root));
    ChecksummedFile.write(directory.resolve(STATE_FILE), state, MAPPER, FileMode.OWNER_ONLY);
    Files.delete(marker);
    AtomicFiles.fsyncDirectory(directory);
    snapshot = toSnapshot(state, index, provider);
    log.info("created a new CA in {}: trust domain {}, root {}", directory,
        trustDomain.trustDomain(), snapshot.roots().activeRootId());
  }

  /** Returns the current view; never blocks. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /** Returns the trust domain. */
  public SigningId trustDomain() {
    return snapshot.trustDomain();
  }

  /** Returns the data directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Records that a leaf was signed and returns its index.
   *
   * @throws ConnectException if the index floor cannot be persisted
   */
  public long recordLeaf() {
    return floor.write(w -> w.commit(LEAF));
  }

  /**
   * Returns the intermediates a leaf signed now by the active root of {@code s} carries: those
   * of the active root that are {@linkplain CaRoots#presentable presentable} at the clock's now,
   * so that the chain validates as presented against the roots listed now.
   */
  public List<X509Certificate> leafIntermediates(Snapshot s) {
    return s.roots().presentable(s.roots().active().intermediates(), clock.instant());
  }

  /**
   * Rotates to a new root, generated when no key is given, cross-signed by the current one.
   *
   * @throws ConnectException if the new state cannot be written
   */
  public CaRoots rotate(Optional<String> keyPem, Optional<String> certPem) {
    // Keys are made outside the write lock: an RSA-4096 key takes seconds, and every leaf
    // signature takes that lock to record its index.
    if (snapshot.provider() instanceof ExternalCaProvider) {
      if (keyPem.isPresent()) {
        throw new IllegalArgumentException("the " + snapshot.provider().name() + " CA provider"
            + " keeps its keys in " + snapshot.provider().name()
            + "; a root key and certificate cannot be supplied");
      }
      return rotateIntermediate();
    }
    for (int attempt = 0; ; attempt++) {
      Snapshot seen = snapshot;
      BuiltInCaProvider next = keyPem.isPresent()
          ? BuiltInCaProvider.load(keyPem.get(), certPem.orElseThrow(), seen.trustDomain(),
              seen.config(), clock)
          : BuiltInCaProvider.generate(seen.trustDomain(), seen.config(), clock);
      boolean mayRetry = attempt < 2;
      Optional<CaRoots> done = floor.write(w -> {
        Snapshot s = snapshot;
        if (!s.config().equals(seen.config()) && mayRetry) {
          return Optional.<CaRoots>empty(); // the configuration changed meanwhile: redo
        }
        return Optional.of(rotateTo(w, s, next, s.config()));
      });
      if (done.isPresent()) {
        return done.get();
      }
    }
  }

  /**
   * Applies a new configuration, rotating to a new root when the key type or size changes.
   *
   * @throws ConnectException if the new state cannot be written
   */
  public CaRoots updateConfiguration(CaConfiguration config) {
    Snapshot seen = snapshot;
    if (seen.provider() instanceof ExternalCaProvider
        && config.keySpec() != seen.config().keySpec()) {
      throw new IllegalArgumentException("the " + seen.provider().name() + " CA provider"
          + " cannot change the key type from " + seen.config().keySpec() + " to "
          + config.keySpec() + ": its root lives in " + seen.provider().name());
    }
    Optional<BuiltInCaProvider> newRoot = config.keySpec() != seen.config().keySpec()
        ? Optional.of(BuiltInCaProvider.generate(seen.trustDomain(), config, clock))
        : Optional.empty();
    return floor.write(w -> {
      Snapshot s = snapshot;
      if (config.equals(s.config())) {
        return s.roots();
      }
      if (config.keySpec() != s.config().keySpec()) {
        BuiltInCaProvider next = newRoot.isPresent()
            ? newRoot.get() : BuiltInCaProvider.generate(s.trustDomain(), config, clock);
        return rotateTo(w, s, next, config);
      }
      long next = w.index();
      PersistedState state = new PersistedState(PersistedState.LAYOUT, s.persisted().clusterId(),
          floor.current(), toPersisted(config), next, s.persisted().roots());
      CaProvider provider = s.provider() instanceof ExternalCaProvider ext
          ? ext.withConfiguration(config)
          : ((BuiltInCaProvider) s.provider()).withConfiguration(config);
      persist(state);
      snapshot = toSnapshot(state, s.rootsIndex(), provider);
      w.commit(CONFIG);
      return snapshot.roots();
    });
  }

  private CaRoots rotateTo(IndexFloor.Write w, Snapshot s, BuiltInCaProvider next,
      CaConfiguration config) {
    String nextId = Certificates.sha1Fingerprint(next.rootCertificate());
    for (CaRoot listed : s.roots().roots()) {
      if (listed.id().equals(nextId)) {
        // Rotating to a listed root would list it twice and, the key file name being its ID,
        // delete the key it still needs.
        throw new IllegalArgumentException("root " + nextId + " is already listed ("
            + (listed.active() ? "active" : "rotated out") + "); nothing changed");
      }
    }
    X509Certificate cross = s.provider().crossSign(next.rootCertificate());
    long at = w.index();
    Instant now = clock.instant();
    String keyFile = writeKeyUnchecked(next);
    List<PersistedState.Root> roots = new ArrayList<>();
    String retiredKey = "";
    for (PersistedState.Root r : s.persisted().roots()) {
      if (r.active()) {
        retiredKey = r.keyFile();
        roots.add(new PersistedState.Root(r.certificatePem(), r.intermediatePems(), "", false,
            now.toString(), r.createIndex(), at));
      } else {
        roots.add(r);
      }
    }
    roots.add(new PersistedState.Root(Certificates.toPem(next.rootCertificate()),
        List.of(Certificates.toPem(cross)), keyFile, true, "", at, at));
    PersistedState state = new PersistedState(PersistedState.LAYOUT, s.persisted().clusterId(),
        floor.current(), toPersisted(config),
        config.equals(s.config()) ? s.persisted().configModifyIndex() : at,
        pruned(roots, config, now));
    persist(state);
    snapshot = toSnapshot(state, at, next);
    if (config.equals(s.config())) {
      w.commit(ROOTS);
    } else {
      w.commit(ROOTS, CONFIG);
    }
    if (!retiredKey.equals(keyFile)) {
      deleteKeyQuietly(retiredKey);
    }
    log.info("rotated the CA in {} to root {}", directory, snapshot.roots().activeRootId());
    return snapshot.roots();
  }

  /**
   * Removes rotated-out roots older than twice the leaf lifetime, and intermediates (cross-signed
   * roots) no longer presentable; either change bumps the roots index.
   *
   * @return how many roots were removed
   * @throws ConnectException if the new state cannot be written
   */
  public int prune() {
    if (floor.isClosed()) {
      return 0;
    }
    return floor.write(w -> {
      Snapshot s = snapshot;
      List<PersistedState.Root> kept = pruned(s.persisted().roots(), s.config(), clock.instant());
      int removed = s.persisted().roots().size() - kept.size();
      if (kept.equals(s.persisted().roots())) {
        return 0;
      }
      long at = w.index();
      PersistedState state = new PersistedState(PersistedState.LAYOUT, s.persisted().clusterId(),
          floor.current(), s.persisted().config(), s.persisted().configModifyIndex(), kept);
      persist(state);
      snapshot = toSnapshot(state, at, s.provider());
      w.commit(ROOTS);
      return removed;
    });
  }

  /**
   * Returns {@code roots} without the rotated-out roots older than twice the leaf lifetime, and
   * each root's intermediates without those no longer {@linkplain CaRoots#presentable
   * presentable}. A root that issued an intermediate still valid is kept whatever its age (the
   * leaf lifetime may have been shortened since the rotation): a chain carrying that
   * intermediate must keep validating as presented.
   */
  private static List<PersistedState.Root> pruned(List<PersistedState.Root> roots,
      CaConfiguration config, Instant now) {
    Duration keep = config.leafCertTtl().multipliedBy(2);
    List<X509Certificate> valid = new ArrayList<>();
    for (PersistedState.Root r : roots) {
      for (String pem : r.intermediatePems()) {
        X509Certificate c = Certificates.parseOnePem(pem);
        if (c.getNotAfter().toInstant().isAfter(now)) {
          valid.add(c);
        }
      }
    }
    List<PersistedState.Root> kept = new ArrayList<>();
    List<X509Certificate> keptCerts = new ArrayList<>();
    for (PersistedState.Root r : roots) {
      X509Certificate cert = Certificates.parseOnePem(r.certificatePem());
      if (r.active() || r.rotatedOutAt().isEmpty()
          || !Instant.parse(r.rotatedOutAt()).plus(keep).isBefore(now)
          || valid.stream().anyMatch(c -> CaRoots.issuedBy(c, cert))) {
        kept.add(r);
        keptCerts.add(cert);
      }
    }
    List<PersistedState.Root> trimmed = new ArrayList<>();
    for (PersistedState.Root r : kept) {
      List<X509Certificate> intermediates =
          r.intermediatePems().stream().map(Certificates::parseOnePem).toList();
      List<X509Certificate> presentable = CaRoots.presentable(intermediates, keptCerts, now);
      trimmed.add(presentable.size() == intermediates.size() ? r
          : new PersistedState.Root(r.certificatePem(),
              presentable.stream().map(Certificates::toPem).toList(), r.keyFile(), r.active(),
              r.rotatedOutAt(), r.createIndex(), r.modifyIndex()));
    }
    return trimmed;
  }

  /**
   * Makes the external provider's next intermediate (outside the write lock: it talks to the
   * external CA) and makes it the active root's only intermediate, so leaves signed from now on
   * carry it. The provider's state is written before {@code state.json}; a crash in between is
   * mended on the next open ({@link #reconcileIntermediates}).
   */
  private CaRoots rotateIntermediate() {
    // One rotation at a time: two would build their intermediates in the same spare mount, and
    // the second generate would replace the key of the first's intermediate.
    synchronized (externalRotation) {
      return rotateIntermediateLocked();
    }
  }

  private CaRoots rotateIntermediateLocked() {
    return installIntermediate(((ExternalCaProvider) snapshot.provider()).rotateIntermediate());
  }

  private CaRoots installIntermediate(ExternalCaProvider next) {
    return floor.write(w -> {
      Snapshot s = snapshot;
      ExternalCaProvider current = next.withConfiguration(s.config());
      try {
        writeProviderState(current);
      } catch (IOException e) {
        throw new ConnectException("cannot write the CA provider state to "
            + directory.resolve(PROVIDER_FILE) + "; nothing changed: " + e.getMessage(), e);
      }
      long at = w.index();
      PersistedState state = withActiveIntermediates(s.persisted(), current, at);
      persist(state);
      snapshot = toSnapshot(state, at, current);
      w.commit(ROOTS);
      log.info("rotated the {} CA in {} to intermediate {}", current.name(), directory,
          Certificates.sha1Fingerprint(current.intermediates().get(0)));
      return snapshot.roots();
    });
  }

  /**
   * Applies changed settings of the external provider ({@link ExternalCaProvider#reconfigure}),
   * one change or rotation at a time: a new intermediate under the same root, or a new root,
   * listed active with the provider's intermediates (the new root cross-signed by the old one
   * among them), the old root rotated out and still listed, as a rotation of the built-in CA.
   *
   * @throws IllegalArgumentException if the built-in CA signs, or the provider refuses a setting
   * @throws ConnectException if the new state cannot be written
   */
  public CaRoots reconfigureProvider(java.util.Map<String, Object> settings) {
    requireNonNull(settings, "settings");
    synchronized (externalRotation) {
      if (!(snapshot.provider() instanceof ExternalCaProvider current)) {
        throw new IllegalArgumentException("the built-in CA (provider consul) has no provider"
            + " settings to change: " + settings.keySet());
      }
      ExternalCaProvider next = current.reconfigure(settings);
      if (next.rootCertificate().equals(current.rootCertificate())) {
        return installIntermediate(next);
      }
      return floor.write(w -> {
        Snapshot s = snapshot;
        ExternalCaProvider provider = next.withConfiguration(s.config());
        try {
          writeProviderState(provider);
        } catch (IOException e) {
          throw new ConnectException("cannot write the CA provider state to "
              + directory.resolve(PROVIDER_FILE) + "; nothing changed: " + e.getMessage(), e);
        }
        long at = w.index();
        Instant now = clock.instant();
        List<PersistedState.Root> roots = new ArrayList<>();
        for (PersistedState.Root r : s.persisted().roots()) {
          roots.add(!r.active() ? r : new PersistedState.Root(r.certificatePem(),
              r.intermediatePems(), r.keyFile(), false, now.toString(), r.createIndex(), at));
        }
        roots.add(new PersistedState.Root(Certificates.toPem(provider.rootCertificate()),
            provider.intermediates().stream().map(Certificates::toPem).toList(), "", true, "",
            at, at));
        PersistedState state = new PersistedState(PersistedState.LAYOUT,
            s.persisted().clusterId(), floor.current(), s.persisted().config(),
            s.persisted().configModifyIndex(), pruned(roots, s.config(), now));
        persist(state);
        snapshot = toSnapshot(state, at, provider);
        w.commit(ROOTS);
        log.info("rotated the {} CA in {} to root {}", provider.name(), directory,
            snapshot.roots().activeRootId());
        return snapshot.roots();
      });
    }
  }

  /** Lists the external provider's intermediates under the active root if they differ. */
  private PersistedState reconcileIntermediates(PersistedState state, CaProvider provider) {
    if (!(provider instanceof ExternalCaProvider)) {
      return state;
    }
    List<String> wanted = provider.intermediates().stream().map(Certificates::toPem).toList();
    PersistedState.Root active = state.roots().stream().filter(PersistedState.Root::active)
        .findFirst().orElseThrow();
    if (active.intermediatePems().equals(wanted)) {
      return state;
    }
    log.info("{} names another intermediate than {}; listing the provider's", PROVIDER_FILE,
        STATE_FILE);
    PersistedState mended = withActiveIntermediates(state, provider, active.modifyIndex());
    persist(mended);
    return mended;
  }

  private static PersistedState withActiveIntermediates(PersistedState state,
      CaProvider provider, long at) {
    List<PersistedState.Root> roots = new ArrayList<>();
    for (PersistedState.Root r : state.roots()) {
      roots.add(!r.active() ? r : new PersistedState.Root(r.certificatePem(),
          provider.intermediates().stream().map(Certificates::toPem).toList(), r.keyFile(),
          true, r.rotatedOutAt(), r.createIndex(), at));
    }
    return new PersistedState(state.layout(), state.clusterId(), state.indexFloor(),
        state.config(), state.configModifyIndex(), roots);
  }

  private void writeProviderState(ExternalCaProvider provider) throws IOException {
    ChecksummedFile.write(directory.resolve(PROVIDER_FILE),
        new ProviderState(provider.name(), provider.state()), MAPPER, FileMode.OWNER_ONLY);
  }

  private void persist(PersistedState state) {
    try {
      ChecksummedFile.write(directory.resolve(STATE_FILE), state, MAPPER, FileMode.OWNER_ONLY);
    } catch (IOException e) {
      throw new ConnectException("cannot write the CA state to "
          + directory.resolve(STATE_FILE) + "; nothing changed: " + e.getMessage(), e);
    }
  }

  private CaProvider loadActiveProvider(PersistedState state) throws IOException {
    SigningId td = SigningId.of(state.clusterId() + ".consul");
    PersistedState.Root active = state.roots().stream().filter(PersistedState.Root::active)
        .findFirst().orElseThrow(() -> new DataDirectoryException(
            directory.resolve(STATE_FILE), "no active root"));
    Path providerFile = directory.resolve(PROVIDER_FILE);
    Optional<ProviderState> persisted;
    try {
      persisted = ChecksummedFile.readIfExists(providerFile, ProviderState.class, MAPPER);
    } catch (CorruptStateException e) {
      throw new DataDirectoryException(providerFile, "corrupt CA provider state ("
          + e.problem() + "); restore it from a backup", e);
    }
    if (persisted.isPresent() || external.isPresent()) {
      String recorded = persisted.map(ProviderState::name).orElse("consul");
      String configured = external.map(ExternalCaProvider.Factory::name).orElse("consul");
      if (!recorded.equals(configured)) {
        throw new DataDirectoryException(directory, "the CA of this data directory uses the "
            + recorded + " provider, but the " + configured + " provider is configured;"
            + " configure " + recorded + ", or move the data directory aside to start a new"
            + " trust domain");
      }
      ExternalCaProvider provider;
      try {
        provider = external.get().open(td, fromPersisted(state.config()),
            Optional.of(persisted.get().state()));
      } catch (IllegalArgumentException e) {
        throw new DataDirectoryException(providerFile, e.getMessage(), e);
      }
      String id = Certificates.sha1Fingerprint(provider.rootCertificate());
      String activeId = Certificates.sha1Fingerprint(
          Certificates.parseOnePem(active.certificatePem()));
      if (!id.equals(activeId)) {
        throw new DataDirectoryException(providerFile, "the " + recorded + " provider's root "
            + id + " is not the active root " + activeId + " of " + STATE_FILE);
      }
      return provider;
    }
    Path keyFile = keys.resolve(active.keyFile());
    String keyPem;
    try {
      keyPem = Files.readString(keyFile, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new DataDirectoryException(keyFile, "the active root's private key is missing", e);
    }
    try {
      return BuiltInCaProvider.load(keyPem, active.certificatePem(), td,
          fromPersisted(state.config()), clock);
    } catch (IllegalArgumentException e) {
      throw new DataDirectoryException(keyFile, "cannot load the active root's key: "
          + e.getMessage(), e);
    }
  }

  private Snapshot toSnapshot(PersistedState state, long rootsIndex,
      CaProvider provider) {
    SigningId td = SigningId.of(state.clusterId() + ".consul");
    List<CaRoot> roots = new ArrayList<>();
    String activeId = "";
    for (PersistedState.Root r : state.roots()) {
      X509Certificate cert = Certificates.parseOnePem(r.certificatePem());
      List<X509Certificate> intermediates = new ArrayList<>();
      for (String pem : r.intermediatePems()) {
        intermediates.add(Certificates.parseOnePem(pem));
      }
      String id = Certificates.sha1Fingerprint(cert);
      if (r.active()) {
        activeId = id;
      }
      PublicKey key = cert.getPublicKey();
      roots.add(new CaRoot(id, ROOT_NAME, cert.getSerialNumber(),
          Certificates.colonHex(subjectKeyId(cert)), state.clusterId(),
          cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), cert, intermediates,
          r.active(), key instanceof RSAPublicKey ? KeyType.RSA : KeyType.EC, keyBits(key),
          r.rotatedOutAt().isEmpty() ? Optional.empty()
              : Optional.of(Instant.parse(r.rotatedOutAt())),
          r.createIndex(), r.modifyIndex()));
    }
    return new Snapshot(td, new CaRoots(td.trustDomain(), activeId, roots), rootsIndex,
        fromPersisted(state.config()), provider, state);
  }

  private static int keyBits(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    if (key instanceof ECPublicKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize();
    }
    throw new IllegalArgumentException("unsupported root key algorithm " + key.getAlgorithm());
  }

  private static byte[] subjectKeyId(X509Certificate cert) {
    byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ext == null) {
      return new byte[0];
    }
    try {
      return SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ext))
          .getKeyIdentifier();
    } catch (IOException e) {
      throw new IllegalArgumentException("root " + Certificates.sha1Fingerprint(cert)
          + " has a malformed subject key identifier", e);
    }
  }

  private String writeKey(BuiltInCaProvider provider) throws IOException {
    String name = "root-" + Certificates.sha1Fingerprint(provider.rootCertificate())
        .replace(":", "") + ".key.pem";
    AtomicFiles.write(keys.resolve(name),
        provider.exportPrivateKeyPkcs8Pem().getBytes(StandardCharsets.US_ASCII),
        FileMode.OWNER_ONLY);
    return name;
  }

  private String writeKeyUnchecked(BuiltInCaProvider provider) {
    try {
      return writeKey(provider);
    } catch (IOException e) {
      throw new ConnectException("cannot write the new root's key to " + keys
          + "; nothing changed: " + e.getMessage(), e);
    }
  }

  private void deleteKeyQuietly(String keyFile) {
    if (keyFile.isEmpty()) {
      return;
    }
    try {
      Files.deleteIfExists(keys.resolve(keyFile));
    } catch (IOException e) {
      // Harmless: the next open removes keys that no state names.
      log.warn("could not delete the retired root key {}", keys.resolve(keyFile), e);
    }
  }

  private boolean hasKeys() throws IOException {
    if (!Files.isDirectory(keys)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keys)) {
      return files.iterator().hasNext();
    }
  }

  private void removeUnreferencedKeys(PersistedState state) throws IOException {
    if (!Files.isDirectory(keys)) {
      return;
    }
    Set<String> referenced = new HashSet<>();
    if (state != null) {
      state.roots().forEach(r -> referenced.add(r.keyFile()));
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(keys)) {
      for (Path file : files) {
        if (!referenced.contains(file.getFileName().toString())) {
          Files.delete(file);
          log.info("removed {}: no CA state names it", file);
        }
      }
    }
  }

  private static PersistedState.Config toPersisted(CaConfiguration c) {
    return new PersistedState.Config(c.leafCertTtl().toString(),
        c.intermediateCertTtl().toString(), c.rootCertTtl().toString(), c.keySpec().name(),
        c.csrMaxPerSecond(), c.csrMaxConcurrent());
  }

  private static CaConfiguration fromPersisted(PersistedState.Config c) {
    return CaConfiguration.builder()
        .leafCertTtl(Duration.parse(c.leafCertTtl()))
        .intermediateCertTtl(Duration.parse(c.intermediateCertTtl()))
        .rootCertTtl(Duration.parse(c.rootCertTtl()))
        .keySpec(CaKeySpec.valueOf(c.keySpec()))
        .csrMaxPerSecond(c.csrMaxPerSecond())
        .csrMaxConcurrent(c.csrMaxConcurrent())
        .build();
  }

}
