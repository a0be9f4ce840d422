package dev.connect.ca.internal;

import static java.util.Objects.requireNonNull;

import dev.connect.core.AgentId;
import dev.connect.core.Certificates;
import dev.connect.core.ServiceId;
import dev.connect.core.SigningId;
import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * Builds the certificates of the built-in CA with the profiles Consul 1.10 writes
 * ({@code agent/connect/ca/provider_consul.go}): self-signed roots, service leaves and
 * cross-signed roots. Immutable and thread-safe; one instance per CA key and root.
 *
 * <p>Key identifiers are SHA-256 over the DER SubjectPublicKeyInfo, 32 bytes (Consul's {@code
 * KeyId}, 1.7+); the authority key identifier of whatever the root signs is the root's own
 * subject key identifier, as Go's {@code x509.CreateCertificate} copies it from the parent.
 */
public final class Issuer {
  /** Leaves and cross-signed roots start this long before "now", against clock skew. */
  public static final Duration BACKDATE = Duration.ofMinutes(1);
  /** Validity of a cross-signed root, as in Consul. */
  public static final Duration CROSS_SIGNED_TTL = Duration.ofDays(7);

  private static final Extension CA_KEY_USAGE = extension(Extension.keyUsage, true,
      new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign | KeyUsage.cRLSign));
  private static final Extension IS_CA =
      extension(Extension.basicConstraints, true, new BasicConstraints(true));
  private static final Extension LEAF_KEY_USAGE = extension(Extension.keyUsage, true,
      new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment
          | KeyUsage.dataEncipherment | KeyUsage.keyAgreement));
  private static final Extension LEAF_EXTENDED_KEY_USAGE = extension(Extension.extendedKeyUsage,
      false, new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
  private static final Extension NOT_CA =
      extension(Extension.basicConstraints, true, new BasicConstraints(false));

  private final PrivateKey key;
  private final X500Name subject;
  private final Extension authorityKeyId;
  // BouncyCastle formats each Time with a new SimpleDateFormat, which costs as much as a tenth
  // of a signature; leaves issued within the same second share one validity.
  private final AtomicReference<Validity> lastLeafValidity = new AtomicReference<>();

  /**
   * Creates an issuer that signs with {@code key} as {@code root}. The caller has checked that
   * they belong together.
   */
  public Issuer(PrivateKey key, X509Certificate root) {
    this.key = requireNonNull(key, "key");
    X509CertificateHolder holder = holder(root);
    this.subject = holder.getSubject();
    Extension skid = holder.getExtension(Extension.subjectKeyIdentifier);
    byte[] keyId = skid != null
        ? SubjectKeyIdentifier.getInstance(skid.getParsedValue()).getKeyIdentifier()
        : keyId(holder.getSubjectPublicKeyInfo());
    this.authorityKeyId =
        extension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
  }

  /**
   * Makes a self-signed root: CN {@code pri-<uid>.consul.ca.<td8>.consul}, URI SAN {@code
   * spiffe://<td>}, CA:TRUE without a path length, valid from {@code now} (not back-dated) for
   * {@code ttl}.
   */
  public static X509Certificate selfSignedRoot(KeyPair keys, SigningId trustDomain, Instant now,
      Duration ttl) {
    X500Name name = commonName(
        CommonNames.rootCn(CommonNames.compactUid(Jca.random()), trustDomain));
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
    byte[] keyId = keyId(spki);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, Serials.next(),
        Date.from(now), Date.from(now.plus(ttl)), name, spki);
    add(builder, CA_KEY_USAGE);
    add(builder, IS_CA);
    add(builder, extension(Extension.subjectKeyIdentifier, false,
        new SubjectKeyIdentifier(keyId)));
    add(builder, extension(Extension.authorityKeyIdentifier, false,
        new AuthorityKeyIdentifier(keyId)));
    add(builder, uriSan(trustDomain.toString()));
    return Jca.toX509(builder.build(Jca.signer(keys.getPrivate())));
  }

  /**
   * Signs a service leaf for the public key {@code spki}: CN from {@link CommonNames#serviceCn},
   * the service's SPIFFE ID as the only SAN, valid from {@code now - 1 min} for {@code ttl}.
   */
  public X509Certificate leaf(SubjectPublicKeyInfo spki, ServiceId service, Instant now,
      Duration ttl) {
    Validity validity = leafValidity(now, ttl);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(subject, Serials.next(),
        validity.notBefore(), validity.notAfter(), commonName(CommonNames.serviceCn(service)),
        spki);
    add(builder, LEAF_KEY_USAGE);
    add(builder, LEAF_EXTENDED_KEY_USAGE);
    add(builder, NOT_CA);
    add(builder, extension(Extension.subjectKeyIdentifier, false,
        new SubjectKeyIdentifier(keyId(spki))));
    add(builder, authorityKeyId);
    add(builder, uriSan(service.toString()));
    return Jca.toX509(builder.build(Jca.signer(key)));
  }

  /**
   * Signs an agent leaf for the public key {@code spki}: CN from {@link CommonNames#agentCn},
   * the agent's SPIFFE ID, then the DNS names, then the IP addresses as SANs; otherwise the
   * service leaf profile.
   */
  public X509Certificate agentLeaf(SubjectPublicKeyInfo spki, AgentId agent,
      List<String> dnsNames, List<InetAddress> ipAddresses, Instant now, Duration ttl) {
    Validity validity = leafValidity(now, ttl);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(subject, Serials.next(),
        validity.notBefore(), validity.notAfter(), commonName(CommonNames.agentCn(agent)),
        spki);
    add(builder, LEAF_KEY_USAGE);
    add(builder, LEAF_EXTENDED_KEY_USAGE);
    add(builder, NOT_CA);
    add(builder, extension(Extension.subjectKeyIdentifier, false,
        new SubjectKeyIdentifier(keyId(spki))));
    add(builder, authorityKeyId);
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, agent.toString()));
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress ip : ipAddresses) {
      names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.getAddress())));
    }
    add(builder, extension(Extension.subjectAlternativeName, false,
        new GeneralNames(names.toArray(new GeneralName[0]))));
    return Jca.toX509(builder.build(Jca.signer(key)));
  }

  /**
   * Signs {@code newRoot}'s subject and public key with this root: the certificate that lets
   * leaves of the new root chain to this one during a rotation. Valid from {@code now - 1 min}
   * for {@code ttl} (7 days, or less, as the caller decides). Every extension of the new root is copied as it is, critical or not, except the
   * authority key identifier, which becomes this root's subject key identifier: a path through
   * the cross-signed certificate is then held to the same name constraints, path length, key
   * usages and policies as a path to the new root (review finding: only key usage, basic
   * constraints, key identifiers and SAN were copied, dropping the rest). A new root without a
   * subject key identifier gets one, Consul's SHA-256 key ID.
   */
  public X509Certificate crossSign(X509Certificate newRoot, Instant now, Duration ttl) {
    X509CertificateHolder other = holder(newRoot);
    Instant notBefore = now.minus(BACKDATE);
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(subject, Serials.next(),
        Date.from(notBefore), Date.from(notBefore.plus(ttl)), other.getSubject(),
        other.getSubjectPublicKeyInfo());
    Extensions extensions = other.getExtensions();
    boolean authorityKeyIdAdded = false;
    if (extensions != null) {
      for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
        if (oid.equals(Extension.authorityKeyIdentifier)) {
          add(builder, authorityKeyId);
          authorityKeyIdAdded = true;
        } else {
          add(builder, extensions.getExtension(oid));
        }
      }
    }
    if (other.getExtension(Extension.subjectKeyIdentifier) == null) {
      add(builder, extension(Extension.subjectKeyIdentifier, false,
          new SubjectKeyIdentifier(keyId(other.getSubjectPublicKeyInfo()))));
    }
    if (!authorityKeyIdAdded) {
      add(builder, authorityKeyId);
    }
    return Jca.toX509(builder.build(Jca.signer(key)));
  }

  private Validity leafValidity(Instant now, Duration ttl) {
    long second = now.minus(BACKDATE).getEpochSecond();
    Validity last = lastLeafValidity.get();
    if (last != null && last.second() == second && last.ttl().equals(ttl)) {
      return last;
    }
    Instant notBefore = Instant.ofEpochSecond(second);
    Validity validity = new Validity(second, ttl, new Time(Date.from(notBefore)),
        new Time(Date.from(notBefore.plus(ttl))));
    lastLeafValidity.set(validity);
    return validity;
  }

  /** Returns Consul's key ID: SHA-256 of the DER SubjectPublicKeyInfo. */
  public static byte[] keyId(SubjectPublicKeyInfo spki) {
    try {
      return Jca.sha256(spki.getEncoded(ASN1Encoding.DER));
    } catch (IOException e) {
      throw new AssertionError("a parsed SubjectPublicKeyInfo cannot be encoded", e);
    }
  }

  /** Parses a certificate we hold into BouncyCastle's view of it. */
  public static X509CertificateHolder holder(X509Certificate certificate) {
    try {
      return new X509CertificateHolder(Certificates.der(certificate));
    } catch (IOException e) {
      throw new IllegalArgumentException("certificate cannot be parsed by BouncyCastle: "
          + Certificates.sha1Fingerprint(certificate), e);
    }
  }

  /** A leaf validity: X.509 times are whole seconds, so one serves a whole second. */
  private record Validity(long second, Duration ttl, Time notBefore, Time notAfter) {}

  // Go's encoding/asn1 writes a PrintableString when it can, else UTF8String; so do we.
  private static X500Name commonName(String cn) {
    ASN1Encodable value = DERPrintableString.isPrintableString(cn)
        ? new DERPrintableString(cn) : new DERUTF8String(cn);
    return new X500Name(new RDN[] {new RDN(BCStyle.CN, value)});
  }

  private static Extension uriSan(String uri) {
    return extension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
  }

  private static Extension extension(ASN1ObjectIdentifier oid, boolean critical,
      ASN1Encodable value) {
    try {
      return new Extension(oid, critical, value.toASN1Primitive().getEncoded(ASN1Encoding.DER));
    } catch (IOException e) {
      throw new AssertionError("an extension built in memory cannot be encoded: " + oid, e);
    }
  }

  private static void add(X509v3CertificateBuilder builder, Extension extension) {
    try {
      builder.addExtension(extension);
    } catch (CertIOException e) {
      throw new AssertionError("extension cannot be added: " + extension.getExtnId(), e);
    }
  }
}
