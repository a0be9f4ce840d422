/**
 * The embedded server: the CA, intentions and ACLs of one datacenter, persisted in a data
 * directory.
 */
module dev.connect.server {
  requires transitive dev.connect.core;
  requires transitive dev.connect.ca;
  requires com.fasterxml.jackson.databind;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires org.slf4j;

  exports dev.connect.server;
  // The data directory's files are Jackson records; open for reflection, never exported.
  opens dev.connect.server.internal to com.fasterxml.jackson.databind;
}
