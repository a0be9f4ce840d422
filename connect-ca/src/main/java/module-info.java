/**
 * The built-in certificate authority: root and intermediate certificates, leaf signing by
 * Consul's profile, CSR checks and the CA configuration.
 */
module dev.connect.ca {
  requires transitive dev.connect.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;

  exports dev.connect.ca;
}
