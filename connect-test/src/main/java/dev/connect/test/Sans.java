package dev.connect.test;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads subject alternative names and describes certificates for messages. */
final class Sans {
  private static final int URI = 6;
  private static final int DNS = 2;

  private Sans() {}

  static List<String> uris(X509Certificate certificate) {
    return ofType(certificate, URI);
  }

  static List<String> dnsNames(X509Certificate certificate) {
    return ofType(certificate, DNS);
  }

  private static List<String> ofType(X509Certificate certificate, int type) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("subject alternative names of serial "
          + Pki.hex(certificate.getSerialNumber()) + " cannot be parsed", e);
    }
    List<String> out = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (Integer.valueOf(type).equals(name.get(0))) {
          out.add(String.valueOf(name.get(1)));
        }
      }
    }
    return out;
  }

  /** Returns subject, serial, URI SANs and validity: what a failure message should show. */
  static String describe(X509Certificate certificate) {
    return "subject " + quoted(certificate.getSubjectX500Principal().getName()) + ", serial "
        + Pki.hex(certificate.getSerialNumber()) + ", URI SANs " + uris(certificate)
        + ", notBefore " + certificate.getNotBefore().toInstant() + ", notAfter "
        + certificate.getNotAfter().toInstant();
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }
}
