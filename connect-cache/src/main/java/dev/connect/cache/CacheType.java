package dev.connect.cache;

/** The kinds of entry a {@link ConnectCache} holds, as Consul's agent cache names its types. */
public enum CacheType {
  /** The trusted CA roots ({@code connect-ca-root}), kept fresh by a blocking query. */
  ROOTS,
  /** A leaf certificate and its private key for one service ({@code connect-ca-leaf}). */
  LEAF,
  /** The intentions matching one destination ({@code intention-match}), kept fresh. */
  INTENTION_MATCH
}
