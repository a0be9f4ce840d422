package dev.connect.server.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connect.server.FileMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksummedFileTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SECRET = "s3cr3t-key-material";

  /** A value with the shapes state holds: text with escapes and non-ASCII, numbers, a map. */
  record State(String name, long index, BigDecimal ratio, List<String> pems,
      Map<String, Integer> counts) {}

  private static final State STATE = new State("connect \"root\" \u00e9\u4e2d\ud83d\ude00", 42,
      new BigDecimal("1.50"), List.of("-----BEGIN CERTIFICATE-----\nMIIB/+==\n", SECRET),
      Map.of("leaf", 3));

  @TempDir Path dir;

  @Test
  void roundTrips() throws IOException {
    Path file = dir.resolve("state.json");

    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);

    assertThat(ChecksummedFile.read(file, State.class, MAPPER)).isEqualTo(STATE);
    assertThat(ChecksummedFile.readIfExists(file, State.class, MAPPER)).contains(STATE);
  }

  @Test
  void roundTripsAGenericTypeAndAnIndentingMapper() throws IOException {
    Path file = dir.resolve("states.json");
    ObjectMapper indenting = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    JavaType type = indenting.getTypeFactory().constructCollectionType(List.class, State.class);

    ChecksummedFile.write(file, List.of(STATE, STATE), indenting, FileMode.SHARED);

    List<State> read = ChecksummedFile.read(file, type, indenting);
    assertThat(read).containsExactly(STATE, STATE);
  }

  @Test
  void writesTheDocumentedEnvelope() throws Exception {
    Path file = dir.resolve("state.json");

    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);

    String text = Files.readString(file);
    assertThat(text).endsWith("}\n").doesNotContain("\r").hasLineCount(1);
    JsonNode envelope = MAPPER.readTree(text);
    assertThat(envelope.fieldNames()).toIterable()
        .containsExactly("format", "version", "sha256", "payload");
    assertThat(envelope.get("format").textValue()).isEqualTo("connect-state");
    assertThat(envelope.get("version").intValue()).isEqualTo(1);
    byte[] payload = envelope.get("payload").textValue().getBytes(UTF_8);
    assertThat(envelope.get("sha256").textValue()).isEqualTo(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload)));
    assertThat(MAPPER.readValue(payload, State.class)).isEqualTo(STATE);
  }

  @Test
  void writesOwnerOnlyFiles() throws IOException {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("state.json");

    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void missingFileIsNotCorruption() {
    Path file = dir.resolve("absent.json");

    assertThatThrownBy(() -> ChecksummedFile.read(file, State.class, MAPPER))
        .isExactlyInstanceOf(NoSuchFileException.class);
    assertThatCode(() -> ChecksummedFile.readIfExists(file, State.class, MAPPER))
        .doesNotThrowAnyException();
  }

  @Test
  void readIfExistsIsEmptyOnlyForAMissingFile() throws IOException {
    Path file = dir.resolve("absent.json");

    assertThat(ChecksummedFile.readIfExists(file, State.class, MAPPER)).isEmpty();
    Files.write(file, new byte[0]);
    assertThatThrownBy(() -> ChecksummedFile.readIfExists(file, State.class, MAPPER))
        .isInstanceOf(CorruptStateException.class);
  }

  @Test
  void emptyFileIsCorrupt() throws IOException {
    Path file = dir.resolve("state.json");
    Files.write(file, new byte[0]);

    CorruptStateException e = corruption(file);

    assertThat(e.file()).isEqualTo(file);
    assertThat(e).hasMessageContaining(file.toString()).hasMessageContaining("empty");
  }

  @Test
  void zeroFilledFileIsCorrupt() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    Files.write(file, new byte[(int) Files.size(file)]);

    assertThat(corruption(file)).hasMessageContaining(file.toString());
  }

  @Test
  void everyTruncationIsDetected() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    byte[] whole = Files.readAllBytes(file);

    for (int length = 0; length < whole.length; length++) {
      Files.write(file, Arrays.copyOf(whole, length));

      CorruptStateException e = corruption(file);

      assertThat(e).as("cut to %d of %d bytes", length, whole.length)
          .hasMessageContaining(file.toString());
      if (length > 0) {
        assertThat(e.problem()).as("cut to %d bytes", length).contains("truncated");
      }
    }
  }

  @Test
  void everySingleBitFlipIsDetected() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    byte[] whole = Files.readAllBytes(file);

    for (int offset = 0; offset < whole.length; offset++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = whole.clone();
        damaged[offset] ^= (byte) (1 << bit);
        Files.write(file, damaged);
        try {
          State read = ChecksummedFile.read(file, State.class, MAPPER);
          fail("bit " + bit + " of byte " + offset + " flipped, yet read " + read);
        } catch (CorruptStateException expected) {
          assertThat(expected).hasMessageContaining(file.toString());
        }
      }
    }
  }

  @Test
  void flippedPayloadByteIsAChecksumMismatchNamingBothDigests() throws Exception {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    String text = Files.readString(file);
    String stored = MAPPER.readTree(text).get("sha256").textValue();
    String damagedText = text.replace("\\\"leaf\\\":3", "\\\"leaf\\\":4");
    assertThat(damagedText).isNotEqualTo(text);
    Files.writeString(file, damagedText);
    String payload = MAPPER.readTree(damagedText).get("payload").textValue();
    String actual = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(payload.getBytes(UTF_8)));

    CorruptStateException e = corruption(file);

    assertThat(e.problem()).contains("checksum mismatch", stored, actual);
  }

  @Test
  void unknownFormatIsReported() throws IOException {
    Path file = writeEnvelope(envelope().put("format", "consul-snapshot"));

    assertThat(corruption(file).problem())
        .contains("unknown format", "consul-snapshot", "connect-state");
  }

  @Test
  void unsupportedVersionIsReported() throws IOException {
    Path file = writeEnvelope(envelope().put("version", 2));

    assertThat(corruption(file).problem()).contains("unsupported version 2");
  }

  @Test
  void unexpectedFieldIsReported() throws IOException {
    Path file = writeEnvelope(envelope().put("extra", true));

    assertThat(corruption(file).problem()).contains("unexpected field", "extra");
  }

  @Test
  void uppercaseChecksumIsNotAccepted() throws IOException {
    ObjectNode envelope = envelope();
    envelope.put("sha256", envelope.get("sha256").textValue().toUpperCase(Locale.ROOT));
    Path file = writeEnvelope(envelope);

    assertThat(corruption(file).problem()).contains("sha256");
  }

  @Test
  void trailingContentIsCorrupt() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    Files.writeString(file, Files.readString(file) + "{}\n");

    assertThat(corruption(file)).hasMessageContaining(file.toString());
  }

  @Test
  void notAnObjectIsCorrupt() throws IOException {
    Path file = dir.resolve("state.json");
    Files.writeString(file, "[1,2,3]\n");

    assertThat(corruption(file).problem()).contains("not a JSON object");
  }

  @Test
  void corruptionMessagesNeverQuoteTheContent() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    String text = Files.readString(file);
    // Unquote the payload, so Jackson meets the secret as a bare token it would quote.
    Files.writeString(file, text.replace("\"payload\":\"", "\"payload\":" + SECRET));

    CorruptStateException e = corruption(file);

    assertThat(e).hasMessageNotContaining(SECRET).hasNoCause();
    assertThat(e.problem()).contains("not valid JSON", "line 1");
  }

  @Test
  void intactPayloadOfAnotherShapeIsNotCorruption() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, Map.of("name", List.of(SECRET)), MAPPER, FileMode.OWNER_ONLY);

    IOException e = catchThrowableOfType(IOException.class,
        () -> ChecksummedFile.read(file, State.class, MAPPER));

    assertThat(e).isNotInstanceOf(CorruptStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("intact")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void unserializableValueIsAProgrammerError() {
    Path file = dir.resolve("state.json");

    assertThatThrownBy(() -> ChecksummedFile.write(file, new Object(), MAPPER, FileMode.SHARED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    assertThat(file).doesNotExist();
  }

  @Test
  void rewritingReplacesTheState() throws IOException {
    Path file = dir.resolve("state.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    State next = new State("next", 43, BigDecimal.ONE, List.of(), Map.of());

    ChecksummedFile.write(file, next, MAPPER, FileMode.OWNER_ONLY);

    assertThat(ChecksummedFile.read(file, State.class, MAPPER)).isEqualTo(next);
    try (var entries = Files.list(dir)) {
      assertThat(entries).containsExactly(file);
    }
  }

  private ObjectNode envelope() throws IOException {
    Path file = dir.resolve("template.json");
    ChecksummedFile.write(file, STATE, MAPPER, FileMode.OWNER_ONLY);
    ObjectNode envelope = (ObjectNode) MAPPER.readTree(file.toFile());
    Files.delete(file);
    return envelope;
  }

  private Path writeEnvelope(ObjectNode envelope) throws IOException {
    Path file = dir.resolve("state.json");
    Files.writeString(file, MAPPER.writeValueAsString(envelope) + "\n");
    return file;
  }

  private static CorruptStateException corruption(Path file) {
    CorruptStateException e = catchThrowableOfType(CorruptStateException.class,
        () -> ChecksummedFile.read(file, State.class, MAPPER));
    assertThat(e).as("reading %s must fail as corrupt", file).isNotNull();
    return e;
  }
}
