package dev.connect.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a token secret, as four longs: the token part of a cache key. */
final class TokenHash {
  static final TokenHash NONE = new TokenHash(0, 0, 0, 0);

  private final long a;
  private final long b;
  private final long c;
  private final long d;

  private TokenHash(long a, long b, long c, long d) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  static TokenHash of(String secret) {
    if (secret == null) {
      return NONE;
    }
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    return new TokenHash(word(h, 0), word(h, 8), word(h, 16), word(h, 24));
  }

  private static long word(byte[] h, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[at + i] & 0xff);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash t && a == t.a && b == t.b && c == t.c && d == t.d;
  }

  @Override
  public int hashCode() {
    return (int) (a ^ (a >>> 32));
  }

  /** The first four bytes of the hash, enough to tell tokens apart in a log. */
  @Override
  public String toString() {
    return this == NONE ? "none" : "sha256:" + HexFormat.of().toHexDigits((int) (a >>> 32));
  }
}
