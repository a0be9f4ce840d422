package dev.connect.cache;

/** {@code <type>/<datacenter>/<token hash>/<request key>}, as Consul keys its agent cache. */
final class CacheKey {
  final CacheType type;
  final String datacenter;
  final TokenHash token;
  final String request;
  private final int hash;

  CacheKey(CacheType type, String datacenter, TokenHash token, String request) {
    this.type = type;
    this.datacenter = datacenter;
    this.token = token;
    this.request = request;
    int h = type.hashCode();
    h = 31 * h + datacenter.hashCode();
    h = 31 * h + token.hashCode();
    this.hash = 31 * h + request.hashCode();
  }

  boolean samePartition(CacheKey other) {
    return datacenter.equals(other.datacenter) && token.equals(other.token);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof CacheKey k && hash == k.hash && type == k.type
        && token.equals(k.token) && request.equals(k.request) && datacenter.equals(k.datacenter);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return type + "/" + datacenter + "/" + token + "/" + request;
  }
}
