package dev.connect.ca.internal;

/**
 * Measures how deeply DER encodings nest, without recursion, so that an untrusted encoding can be
 * refused before BouncyCastle decodes it.
 *
 * <p>BouncyCastle's ASN.1 decoder recurses once per nested constructed value, and so do the
 * decoders it runs later on the contents of an OCTET STRING or BIT STRING (an extension value, a
 * public key). A CSR of about 10 KB nesting 2,000 SEQUENCEs threw {@link StackOverflowError}
 * (review finding). A real PKCS#10 request nests about ten levels deep.
 *
 * <p>The walk counts constructed values and, speculatively, the contents of OCTET STRINGs and BIT
 * STRINGs that read as DER, since those are decoded later. Where the encoding stops making sense
 * the walk stops too and leaves the error to the decoder, which meets it in the same order and
 * before any deeper level. Lengths must be definite, as DER requires: BER's indefinite length
 * ends the walk of that region the same way. Each byte is read at most once.
 */
public final class DerNesting {
  private static final int TAG_BIT_STRING = 0x03;
  private static final int TAG_OCTET_STRING = 0x04;
  private static final int CONSTRUCTED = 0x20;

  private DerNesting() {}

  /**
   * Tells whether the encoding nests deeper than {@code limit} levels.
   *
   * @param der the encoding to walk
   * @param limit the deepest nesting allowed, at least 1
   * @return true when some value lies more than {@code limit} levels deep
   */
  public static boolean exceeds(byte[] der, int limit) {
    // ends[d] is where the region at depth d ends; speculative[d] says whether that region is the
    // content of a primitive string read as DER, where nonsense ends the region, not the walk.
    int[] ends = new int[limit + 2];
    boolean[] speculative = new boolean[limit + 2];
    int depth = 0;
    ends[0] = der.length;
    int at = 0;
    while (true) {
      while (depth > 0 && at == ends[depth]) {
        depth--;
      }
      if (depth == 0 && at == ends[0]) {
        return false;
      }
      long read = header(der, at, ends[depth]);
      int header = (int) read;
      long length = read >>> 32;
      if (read < 0 || at + header + length > ends[depth]) {
        // Nonsense here: give up on the innermost speculative region, or on the whole walk.
        int d = depth;
        while (d > 0 && !speculative[d]) {
          d--;
        }
        if (d == 0) {
          return false;
        }
        at = ends[d];
        depth = d - 1;
        continue;
      }
      int tag = der[at] & 0xff;
      int contentStart = at + header;
      int contentEnd = (int) (contentStart + length);
      boolean constructed = (tag & CONSTRUCTED) != 0;
      boolean string = tag == TAG_OCTET_STRING || tag == TAG_BIT_STRING;
      int innerStart = tag == TAG_BIT_STRING ? contentStart + 1 : contentStart;
      if ((constructed || string) && innerStart < contentEnd) {
        if (depth + 1 > limit) {
          return true;
        }
        depth++;
        ends[depth] = contentEnd;
        speculative[depth] = !constructed;
        at = innerStart;
      } else {
        at = contentEnd;
      }
    }
  }

  /**
   * Reads the header at {@code at}: returns its length in the low 32 bits and the content
   * length in the high 31 bits, or -1 if the header is cut short by {@code end}, uses the
   * indefinite length, or gives a content length of more than three octets.
   */
  private static long header(byte[] der, int at, int end) {
    int i = at;
    if (i >= end) {
      return -1;
    }
    if ((der[i++] & 0x1f) == 0x1f) {
      // High tag number form: base-128 digits, the last without its top bit; five suffice.
      int digits = 0;
      while (true) {
        if (i >= end || ++digits > 5) {
          return -1;
        }
        if ((der[i++] & 0x80) == 0) {
          break;
        }
      }
    }
    if (i >= end) {
      return -1;
    }
    int first = der[i++] & 0xff;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int octets = first & 0x7f;
      if (octets == 0 || octets > 3 || i + octets > end) {
        return -1;
      }
      length = 0;
      for (int k = 0; k < octets; k++) {
        length = (length << 8) | (der[i++] & 0xff);
      }
    }
    return (length << 32) | (i - at);
  }
}
