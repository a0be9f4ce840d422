/**
 * The built-in certificate authority of Connect for Java: what Consul's {@code consul} CA
 * provider does, in process.
 *
 * <p>{@link dev.connect.ca.BuiltInCaProvider} makes or loads a root and signs leaf certificates
 * from {@link dev.connect.ca.CertificateRequest}s that passed validation, with the certificate
 * profiles Consul 1.10 writes. {@link dev.connect.ca.CaProvider} is the seam other CAs (Vault)
 * implement; {@link dev.connect.ca.CaConfiguration} holds the TTLs, key type and rate limits;
 * {@link dev.connect.ca.LeafRequests} makes keys and CSRs the way a Consul agent does.
 *
 * <p>Nothing in this package accepts or returns {@code null}; an absent value is an {@link
 * java.util.Optional}.
 */
package dev.connect.ca;
