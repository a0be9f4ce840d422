package dev.connect.server.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connect.server.AtomicFiles;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A durable JSON state file that refuses to be read back unless it is exactly what was written.
 *
 * <p>The file is one line of JSON, an envelope around the serialized value:
 * <pre>
 * {"format":"connect-state","version":1,"sha256":"9f86d0…","payload":"{\"roots\":[…]}"}
 * </pre>
 * followed by a newline. The payload is stored as a JSON <em>string</em> holding the value's JSON
 * text, and {@code sha256} is the lowercase hex SHA-256 of that text's UTF-8 bytes. Storing the
 * text rather than a nested JSON value costs readability but means the checksum covers the exact
 * bytes written: re-serializing a parsed tree is not byte-stable (number formats, big decimals,
 * mapper settings), and a checksum that fails on a sound file is as bad as one that misses damage.
 *
 * <p>The file is written through {@link AtomicFiles}, so a crash leaves the old file or the new
 * one. The envelope is for what that cannot prevent: a disk or copy that truncates, flips a bit
 * or zero-fills. Every such file fails with {@link CorruptStateException}; a missing file is never
 * reported as corrupt, and corrupt state is never reported as missing, so callers cannot mistake
 * damage for a first start.
 */
public final class ChecksummedFile {
  /** The value of the envelope's {@code format} field. */
  public static final String FORMAT = "connect-state";
  /** The envelope version this build writes and the only one it reads. */
  public static final int VERSION = 1;

  private static final Set<String> FIELDS = Set.of("format", "version", "sha256", "payload");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final HexFormat HEX = HexFormat.of();

  /**
   * Parses envelopes strictly: duplicate fields and trailing content fail, and the payload string
   * may exceed Jackson's default 20 MB string limit, since its size was ours to choose.
   */
  private static final ObjectMapper ENVELOPE = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxStringLength(Integer.MAX_VALUE).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private ChecksummedFile() {}

  /**
   * Serializes {@code value} with {@code mapper} and replaces {@code target} with it, atomically.
   *
   * @throws IllegalArgumentException if {@code mapper} cannot serialize {@code value}
   * @throws IOException if the file cannot be written; see {@link AtomicFiles#write}
   */
  public static void write(Path target, Object value, ObjectMapper mapper, FileMode mode)
      throws IOException {
    requireNonNull(target, "target");
    requireNonNull(value, "value");
    requireNonNull(mapper, "mapper");
    requireNonNull(mode, "mode");
    String payload;
    try {
      payload = new String(mapper.writeValueAsBytes(value), UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot serialize a " + value.getClass().getName() + " as JSON for " + target, e);
    }
    ObjectNode envelope = ENVELOPE.createObjectNode()
        .put("format", FORMAT)
        .put("version", VERSION)
        .put("sha256", sha256Hex(payload.getBytes(UTF_8)))
        .put("payload", payload);
    byte[] json = ENVELOPE.writeValueAsBytes(envelope);
    byte[] content = new byte[json.length + 1];
    System.arraycopy(json, 0, content, 0, json.length);
    content[json.length] = '\n';
    AtomicFiles.write(target, content, mode);
  }

  /**
   * Reads and verifies {@code file}, then deserializes its payload with {@code mapper}.
   *
   * @throws NoSuchFileException if {@code file} does not exist
   * @throws CorruptStateException if the file exists but is not intact
   * @throws IOException if the file cannot be read, or its verified payload does not bind to
   *     {@code type} (a schema change, not damage)
   */
  public static <T> T read(Path file, Class<T> type, ObjectMapper mapper) throws IOException {
    requireNonNull(type, "type");
    requireNonNull(mapper, "mapper");
    return read(file, mapper.constructType(type), mapper);
  }

  /**
   * Reads and verifies {@code file}, then deserializes its payload as a generic {@code type}.
   *
   * @throws NoSuchFileException if {@code file} does not exist
   * @throws CorruptStateException if the file exists but is not intact
   * @throws IOException if the file cannot be read, or its verified payload does not bind to
   *     {@code type}
   */
  public static <T> T read(Path file, JavaType type, ObjectMapper mapper) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(type, "type");
    requireNonNull(mapper, "mapper");
    byte[] payload = verifiedPayload(file, Files.readAllBytes(file));
    try {
      return mapper.readValue(payload, type);
    } catch (JacksonException e) {
      // Jackson quotes offending values in its messages, and state may hold secrets: name the
      // JSON path and the kind of failure only.
      String where = e instanceof JsonMappingException
          ? " at " + ((JsonMappingException) e).getPathReference() : "";
      throw new IOException("state file " + file + " is intact but its payload cannot be read as "
          + type.toCanonical() + where + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Like {@link #read(Path, Class, ObjectMapper)}, but returns empty when {@code file} does not
   * exist, the usual sign of a first start.
   *
   * @throws CorruptStateException if the file exists but is not intact
   */
  public static <T> Optional<T> readIfExists(Path file, Class<T> type, ObjectMapper mapper)
      throws IOException {
    requireNonNull(type, "type");
    requireNonNull(mapper, "mapper");
    return readIfExists(file, mapper.constructType(type), mapper);
  }

  /**
   * Like {@link #read(Path, JavaType, ObjectMapper)}, but returns empty when {@code file} does
   * not exist.
   *
   * @throws CorruptStateException if the file exists but is not intact
   */
  public static <T> Optional<T> readIfExists(Path file, JavaType type, ObjectMapper mapper)
      throws IOException {
    try {
      return Optional.of(read(file, type, mapper));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Returns the payload's exact bytes once the envelope around them checks out. */
  private static byte[] verifiedPayload(Path file, byte[] content) throws CorruptStateException {
    if (content.length == 0) {
      throw new CorruptStateException(file, "empty file (0 bytes)");
    }
    JsonNode root;
    try {
      root = ENVELOPE.readTree(content);
    } catch (IOException e) {
      // Not chained: Jackson's message may quote file content, which may be secret.
      if (endsEarly(e, content.length)) {
        throw new CorruptStateException(file, "truncated: the JSON ends unexpectedly after "
            + content.length + " bytes");
      }
      throw new CorruptStateException(file, "not valid JSON" + at(e));
    }
    if (root == null || !root.isObject()) {
      throw new CorruptStateException(file, "not a JSON object");
    }
    if (content[content.length - 1] != '\n') {
      throw new CorruptStateException(file, "truncated: the final newline is missing");
    }
    JsonNode format = root.get("format");
    if (format == null || !format.isTextual()) {
      throw new CorruptStateException(file, "no \"format\" field");
    }
    if (!FORMAT.equals(format.textValue())) {
      throw new CorruptStateException(file, "unknown format " + quote(format.textValue())
          + " (expected \"" + FORMAT + "\")");
    }
    JsonNode version = root.get("version");
    if (version == null || !version.isIntegralNumber()) {
      throw new CorruptStateException(file, "no integer \"version\" field");
    }
    if (!version.canConvertToInt() || version.intValue() != VERSION) {
      throw new CorruptStateException(file, "unsupported version " + version.asText()
          + " (this build reads version " + VERSION + ")");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new CorruptStateException(file, "unexpected field " + quote(name));
      }
    }
    JsonNode sha256 = root.get("sha256");
    if (sha256 == null || !sha256.isTextual()
        || !SHA256_HEX.matcher(sha256.textValue()).matches()) {
      throw new CorruptStateException(file,
          "no \"sha256\" field of 64 lowercase hex digits");
    }
    JsonNode payload = root.get("payload");
    if (payload == null || !payload.isTextual()) {
      throw new CorruptStateException(file, "no \"payload\" string");
    }
    byte[] bytes = payload.textValue().getBytes(UTF_8);
    String actual = sha256Hex(bytes);
    if (!actual.equals(sha256.textValue())) {
      throw new CorruptStateException(file, "checksum mismatch: expected sha256 "
          + sha256.textValue() + ", actual " + actual + " over " + bytes.length
          + " payload bytes");
    }
    return bytes;
  }

  /** Tells whether parsing failed for want of more input, which Jackson reports in two ways. */
  private static boolean endsEarly(IOException e, int length) {
    if (e instanceof JsonEOFException) {
      return true;
    }
    if (e instanceof JsonProcessingException) {
      JsonLocation location = ((JsonProcessingException) e).getLocation();
      return location != null && location.getByteOffset() >= length;
    }
    return false;
  }

  private static String at(IOException e) {
    if (e instanceof JsonProcessingException) {
      JsonLocation location = ((JsonProcessingException) e).getLocation();
      if (location != null) {
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      }
    }
    return "";
  }

  /** Quotes a short value from a damaged header, cut so a garbage field cannot flood a log. */
  private static String quote(String value) {
    String cut = value.length() > 40 ? value.substring(0, 40) + "…" : value;
    return '"' + cut + '"';
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
