/**
 * Connect's values and contracts, on the JDK alone: SPIFFE IDs, CA roots, intentions, ACL
 * policies and tokens, and {@link dev.connect.core.ConnectBackend}, the seam a server offers.
 */
module dev.connect.core {
  exports dev.connect.core;
}
