package dev.connect.consul;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.connect.core.GoDuration;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers shared by the wire records. */
final class Wire {
  static final BigInteger LOW_64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private Wire() {}

  static <T> List<T> list(List<T> list, String field) {
    if (list == null) {
      return null;
    }
    List<T> copy = new ArrayList<>(list.size());
    for (T t : list) {
      if (t == null) {
        throw new IllegalArgumentException(field + " must not contain null");
      }
      copy.add(t);
    }
    return Collections.unmodifiableList(copy);
  }

  static <T> Map<String, T> map(Map<String, T> map, String field) {
    if (map == null) {
      return null;
    }
    Map<String, T> copy = new LinkedHashMap<>();
    for (Map.Entry<String, T> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw new IllegalArgumentException(field + " must not contain a null key");
      }
      copy.put(e.getKey(), e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }

  static <T> T required(T value, String field) {
    if (value == null || (value instanceof String && ((String) value).isEmpty())) {
      throw new IllegalArgumentException(field + " must be set");
    }
    return value;
  }

  static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  static long orZero(Long l) {
    return l == null ? 0 : l;
  }

  static X509Certificate certificate(String pem, String field) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(field + ": no PEM-encoded certificate found");
    }
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(US_ASCII)));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(field + ": not a valid PEM certificate: "
          + e.getMessage(), e);
    }
  }

  static Object configValue(Map<String, Object> config, String key) {
    if (config == null) {
      return null;
    }
    for (Map.Entry<String, Object> e : config.entrySet()) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  static String configString(Map<String, Object> config, String key) {
    Object v = configValue(config, key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String)) {
      throw new IllegalArgumentException("Config." + key + " must be a string: " + v);
    }
    return (String) v;
  }

  static Long configLong(Map<String, Object> config, String key) {
    Object v = configValue(config, key);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    if (v instanceof String) {
      try {
        return Long.parseLong((String) v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Config." + key + " must be an integer: \""
            + Texts.escape((String) v, 32) + "\"", e);
      }
    }
    throw new IllegalArgumentException("Config." + key + " must be an integer: " + v);
  }

  static double configDouble(String key, Object v) {
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    if (v instanceof String) {
      try {
        return Double.parseDouble((String) v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Config." + key + " must be a number: \""
            + Texts.escape((String) v, 32) + "\"", e);
      }
    }
    throw new IllegalArgumentException("Config." + key + " must be a number: " + v);
  }

  static Duration configDuration(String key, String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Config." + key + ": " + e.getMessage(), e);
    }
  }
}
