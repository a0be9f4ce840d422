/**
 * A CA provider backed by HashiCorp Vault's PKI secrets engine, as Consul's {@code vault}
 * provider: a Vault root, an intermediate it signs, and leaves signed by that intermediate.
 */
module dev.connect.ca.vault {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires org.slf4j;

  exports dev.connect.ca.vault;
}
