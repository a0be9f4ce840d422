package dev.connect.server.internal;

import java.util.List;

/**
 * What the embedded server keeps in {@code state.json}: everything but private keys, which live
 * in owner-only files named by {@link Root#keyFile()}.
 *
 * <p><b>Layout.</b> {@code layout} says which files the directory must hold. {@value #LAYOUT}:
 * {@code index.json}, {@code intentions.json} and {@code acl.json} are written, empty, in the
 * same crash-safe initialization that creates the CA, and a missing one is refused from then on.
 * 0 (the field absent, as earlier builds wrote this file): {@code intentions.json} and {@code
 * acl.json} appeared only at their first write, so a missing one may mean "nothing written yet";
 * the next open creates them, empty, and only then records layout {@value #LAYOUT} here, once.
 * The mark lives in this file because it is the anchor of the directory: checksummed, and never
 * missing without the directory being refused (see {@link CaStore}), whereas a marker file of its
 * own could be lost along with the files it vouches for.
 *
 * @param layout the data directory layout, {@value #LAYOUT} or, written by an earlier build, 0
 * @param clusterId the cluster UUID; the trust domain is {@code <clusterId>.consul}
 * @param indexFloor the index floor when this file was written (see {@link IndexFloor}, which
 *     keeps the current one in {@code index.json}); read on open as a lower bound only
 * @param config the CA configuration in force
 * @param configModifyIndex the index of the last configuration change
 * @param roots every trusted root, oldest first, exactly one active
 */
public record PersistedState(int layout, String clusterId, long indexFloor, Config config,
    long configModifyIndex, List<Root> roots) {
  /** The layout this build writes: every state file exists from initialization on. */
  public static final int LAYOUT = 1;

  /** Copies the list. */
  public PersistedState {
    roots = List.copyOf(roots);
  }

  /**
   * The CA configuration, with durations in ISO-8601 form.
   *
   * @param leafCertTtl leaf lifetime
   * @param intermediateCertTtl intermediate lifetime
   * @param rootCertTtl root lifetime
   * @param keySpec the {@code CaKeySpec} name of the CA key
   * @param csrMaxPerSecond CSR rate limit
   * @param csrMaxConcurrent CSR concurrency limit
   */
  public record Config(String leafCertTtl, String intermediateCertTtl, String rootCertTtl,
      String keySpec, double csrMaxPerSecond, int csrMaxConcurrent) {}

  /**
   * One root.
   *
   * @param certificatePem the root certificate
   * @param intermediatePems certificates leaves under this root present after themselves
   * @param keyFile the file, relative to the keys directory, holding the root's private key;
   *     empty once the root is no longer active and its key has been discarded
   * @param active whether it signs new leaves
   * @param rotatedOutAt ISO-8601 instant it stopped being active; empty while active
   * @param createIndex index at which it was added
   * @param modifyIndex index at which it last changed
   */
  public record Root(String certificatePem, List<String> intermediatePems, String keyFile,
      boolean active, String rotatedOutAt, long createIndex, long modifyIndex) {

    /** Copies the list. */
    public Root {
      intermediatePems = List.copyOf(intermediatePems);
    }
  }
}
