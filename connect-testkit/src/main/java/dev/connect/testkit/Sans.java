package dev.connect.testkit;

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

  /** A message shows at most this many URI SANs of a certificate. */
  private static final int SHOWN = 5;

  /**
   * Returns subject, serial, URI SANs (the first five, and how many in all if more) and
   * validity: what a failure message should show.
   */
  static String describe(X509Certificate certificate) {
    List<String> uris = uris(certificate);
    String shown = uris.size() <= SHOWN ? uris.toString()
        : uris.subList(0, SHOWN).toString().replaceFirst("]$", ", ... (" + uris.size()
            + " in all)]");
    return "subject " + quoted(certificate.getSubjectX500Principal().getName()) + ", serial "
        + Pki.hex(certificate.getSerialNumber()) + ", URI SANs " + shown
        + ", notBefore " + certificate.getNotBefore().toInstant() + ", notAfter "
        + certificate.getNotAfter().toInstant();
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }
}
