package dev.connect.ca.internal;

import dev.connect.core.InvalidCsrException;
import dev.connect.core.InvalidCsrException.Problem;
import dev.connect.core.UntrustedText;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.DefaultAlgorithmNameFinder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Decoding and verifying a PKCS#10 request for {@code CertificateRequest.validate}: each step
 * throws {@link InvalidCsrException} with its problem, naming what it found but never echoing
 * the whole input.
 */
public final class Csrs {
  private static final int MAX_PEM_CHARS = 64 * 1024;
  private static final int SHOWN_PREFIX = 40;
  /**
   * How deeply a CSR's encoding may nest, string contents included. A PKCS#10 request with SANs
   * and a subject nests about ten levels; BouncyCastle's decoder recurses once per level.
   */
  static final int MAX_NESTING = 32;

  private Csrs() {}

  /**
   * Decodes a DER PKCS#10 request. An encoding nested more than {@value #MAX_NESTING} levels deep
   * is refused before it is decoded, since the decoder recurses once per level.
   */
  public static PKCS10CertificationRequest parse(byte[] der) {
    if (DerNesting.exceeds(der, MAX_NESTING)) {
      throw fail(Problem.MALFORMED, "CSR encoding nests more than " + MAX_NESTING
          + " levels deep (" + der.length + " bytes of DER)");
    }
    try {
      return new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw fail(Problem.MALFORMED, "CSR is not a PKCS#10 request: " + e.getMessage());
    }
  }

  /** Checks the request's self-signature with the key it carries. */
  public static void checkSignature(PKCS10CertificationRequest csr, PublicKey publicKey) {
    boolean valid;
    try {
      valid = csr.isSignatureValid(Jca.verifier(publicKey));
    } catch (PKCSException | RuntimeException e) {
      throw fail(Problem.BAD_SIGNATURE, "CSR signature cannot be verified: "
          + signatureAlgorithm(csr) + " signature with a " + KeyDescription.of(publicKey)
          + " key (" + e.getMessage() + ")");
    }
    if (!valid) {
      throw fail(Problem.BAD_SIGNATURE, "CSR signature does not verify with the public key it"
          + " carries: " + signatureAlgorithm(csr) + " signature, " + KeyDescription.of(publicKey)
          + " key");
    }
  }

  /** Returns the content of the one PEM {@code CERTIFICATE REQUEST} block of {@code text}. */
  public static byte[] pemContent(String text) {
    if (text.length() > MAX_PEM_CHARS) {
      throw fail(Problem.MALFORMED, "CSR PEM is " + text.length()
          + " characters long; the limit is " + MAX_PEM_CHARS);
    }
    PemObject first;
    PemObject second;
    try (PemReader reader = new PemReader(new StringReader(text))) {
      first = reader.readPemObject();
      second = first == null ? null : reader.readPemObject();
    } catch (IOException | RuntimeException e) {
      throw fail(Problem.MALFORMED, "CSR PEM cannot be decoded: " + e.getMessage());
    }
    if (first == null) {
      throw fail(Problem.MALFORMED, "no PEM-encoded data found in CSR text ("
          + text.length() + " characters starting \""
          + UntrustedText.shown(text, SHOWN_PREFIX) + "\")");
    }
    if (!first.getType().equals("CERTIFICATE REQUEST")
        && !first.getType().equals("NEW CERTIFICATE REQUEST")) {
      throw fail(Problem.MALFORMED, "expected a PEM CERTIFICATE REQUEST, found "
          + UntrustedText.shown(first.getType(), SHOWN_PREFIX));
    }
    if (second != null) {
      throw fail(Problem.MALFORMED, "expected one PEM block, found another after the CSR: "
          + UntrustedText.shown(second.getType(), SHOWN_PREFIX));
    }
    return first.getContent();
  }

  private static Extensions requestedExtensions(PKCS10CertificationRequest csr) {
    if (csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest).length > 1) {
      throw fail(Problem.MALFORMED, "CSR has more than one extensionRequest attribute");
    }
    try {
      return csr.getRequestedExtensions();
    } catch (RuntimeException e) {
      throw fail(Problem.MALFORMED, "CSR extension request cannot be decoded: " + e.getMessage());
    }
  }

  /**
   * Decodes the request's public key, which {@link LeafKeys#check} has already allowed: call that
   * first, since decoding a huge key is slow. An algorithm BouncyCastle does not know is refused.
   */
  public static PublicKey publicKey(SubjectPublicKeyInfo spki) {
    String algorithm = spki.getAlgorithm().getAlgorithm().getId();
    PublicKey key;
    try {
      key = Jca.publicKey(spki);
    } catch (IOException | RuntimeException e) {
      throw fail(Problem.MALFORMED, "public key in CSR cannot be decoded (algorithm "
          + algorithm + "): " + e.getMessage());
    }
    if (key == null) {
      throw fail(Problem.KEY_NOT_ALLOWED, "public key in CSR has an unsupported algorithm: "
          + algorithm);
    }
    return key;
  }

  private static String signatureAlgorithm(PKCS10CertificationRequest csr) {
    return new DefaultAlgorithmNameFinder().getAlgorithmName(csr.getSignatureAlgorithm());
  }

  private static String describe(GeneralName name) {
    switch (name.getTagNo()) {
      case GeneralName.dNSName:
        return "DNS:" + ((ASN1String) name.getName()).getString();
      case GeneralName.rfc822Name:
        return "email:" + ((ASN1String) name.getName()).getString();
      case GeneralName.iPAddress:
        byte[] address = ASN1OctetString.getInstance(name.getName()).getOctets();
        try {
          return "IP:" + InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
          return "IP of " + address.length + " bytes";
        }
      default:
        return "a general name with tag " + name.getTagNo();
    }
  }

  /**
   * What the CSR's extension request asks for, decoded up front so decoding fails first.
   *
   * @param uris the URI SANs, in order
   * @param otherNames the other SANs, described for messages, not yet {@linkplain
   *     UntrustedText#shown shown}
   * @param basicConstraints the requested basic constraints, or null
   * @param keyUsage the requested key usage, or null
   */
  public record RequestedExtensions(List<String> uris, List<String> otherNames,
      BasicConstraints basicConstraints, KeyUsage keyUsage) {

    /** Decodes the SANs, basic constraints and key usage the request asks for. */
    public static RequestedExtensions of(PKCS10CertificationRequest csr) {
      Extensions extensions = requestedExtensions(csr);
      if (extensions == null) {
        return new RequestedExtensions(List.of(), List.of(), null, null);
      }
      List<String> uris = new ArrayList<>();
      List<String> otherNames = new ArrayList<>();
      try {
        GeneralNames sans =
            GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (sans != null) {
          for (GeneralName name : sans.getNames()) {
            if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
              uris.add(((ASN1String) name.getName()).getString());
            } else {
              otherNames.add(describe(name));
            }
          }
        }
        return new RequestedExtensions(uris, otherNames,
            BasicConstraints.fromExtensions(extensions), KeyUsage.fromExtensions(extensions));
      } catch (RuntimeException e) {
        throw fail(Problem.MALFORMED,
            "CSR extension request cannot be decoded: " + e.getMessage());
      }
    }

    /** Refuses a request for CA:TRUE, keyCertSign or cRLSign. */
    public void checkNotCa() {
      if (basicConstraints != null && basicConstraints.isCA()) {
        throw fail(Problem.CA_REQUESTED,
            "CSR requests a CA certificate: basic constraints CA:TRUE");
      }
      if (keyUsage == null) {
        return;
      }
      List<String> asked = new ArrayList<>();
      if (keyUsage.hasUsages(KeyUsage.keyCertSign)) {
        asked.add("keyCertSign");
      }
      if (keyUsage.hasUsages(KeyUsage.cRLSign)) {
        asked.add("cRLSign");
      }
      if (!asked.isEmpty()) {
        throw fail(Problem.CA_REQUESTED, "CSR requests a CA key usage: " + String.join(", ", asked));
      }
    }
  }

  private static InvalidCsrException fail(Problem problem, String message) {
    return new InvalidCsrException(problem, message);
  }
}
