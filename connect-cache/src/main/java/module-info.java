/**
 * The agent cache: roots and leaves kept fresh by blocking queries and renewal, read without
 * waiting.
 */
module dev.connect.cache {
  requires transitive dev.connect.core;
  requires transitive com.github.benmanes.caffeine;
  requires org.bouncycastle.provider;
  requires org.slf4j;

  exports dev.connect.cache;
}
