package dev.connect.cli;

import dev.connect.core.CaRoot;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.SpiffeId;
import dev.connect.core.Certificates;
import java.io.PrintWriter;
import java.security.cert.X509Certificate;

/** Formats roots and leaves for people. */
final class Output {
  private Output() {}

  static void root(PrintWriter out, CaRoot root) {
    X509Certificate c = root.certificate();
    out.printf("  ID:           %s%s%n", root.id(), root.active() ? "  (active)" : "");
    out.printf("  Subject:      %s%n", c.getSubjectX500Principal().getName());
    out.printf("  SPIFFE ID:    %s%n", SpiffeId.fromCertificate(c));
    out.printf("  Key:          %s %d%n", root.privateKeyType().wireName(),
        root.privateKeyBits());
    out.printf("  Serial:       %s%n", Certificates.serialHex(root.serialNumber()));
    out.printf("  Valid:        %s .. %s%n", root.notBefore(), root.notAfter());
    root.rotatedOutAt().ifPresent(t -> out.printf("  Rotated out:  %s%n", t));
    if (!root.intermediates().isEmpty()) {
      for (X509Certificate i : root.intermediates()) {
        out.printf("  Cross-signed: by %s, valid until %s%n",
            i.getIssuerX500Principal().getName(), i.getNotAfter().toInstant());
      }
    }
  }

  static void leaf(PrintWriter out, IssuedCertificate leaf) {
    X509Certificate c = leaf.certificate();
    out.printf("  Subject:      %s%n", c.getSubjectX500Principal().getName());
    out.printf("  SPIFFE ID:    %s%n", SpiffeId.fromCertificate(c));
    out.printf("  Serial:       %s%n", leaf.serialNumberHex());
    out.printf("  Valid:        %s .. %s%n", leaf.validAfter(), leaf.validBefore());
    out.printf("  SHA-256:      %s%n", Certificates.sha256Fingerprint(c));
  }
}
