package dev.connect.core;

import static dev.connect.core.IntentionAction.ALLOW;
import static dev.connect.core.IntentionAction.DENY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntentionTest {
  private static final String ID = "353609c9-81a8-0081-5b0a-5608979d6d3a";

  /** The whole table of CONSUL-SEMANTICS 4.3, and the OSS spellings of its four reachable rows. */
  @ParameterizedTest(name = "{0} => {1}: {2}")
  @CsvSource({
      "ns/web, ns/db, 9",
      "ns/*,   ns/db, 8",
      "*/*,    ns/db, 7",
      "ns/web, ns/*,  6",
      "ns/*,   ns/*,  5",
      "*/*,    ns/*,  4",
      "ns/web, */*,   3",
      "ns/*,   */*,   2",
      "*/*,    */*,   1",
      "web,    db,    9",
      "*,      db,    8",
      "web,    *,     6",
      "*,      *,     5",
      "other/web, ns/db, 9",
  })
  void precedenceTable(String source, String destination, int precedence) {
    assertThat(Intention.of(source, destination, ALLOW).precedence()).isEqualTo(precedence);
    assertThat(Intention.of(source, destination, DENY).precedence()).isEqualTo(precedence);
  }

  @Test
  void toStringIsConsulsStringWithIdOnlyWhenPresent() {
    assertThat(Intention.of("web", "db", ALLOW)).hasToString(
        "default/web => default/db (Precedence: 9, Action: ALLOW)");
    assertThat(Intention.of("*", "*", DENY)).hasToString(
        "default/* => default/* (Precedence: 5, Action: DENY)");
    Intention withId = Intention.builder(IntentionTarget.parse("web"),
        IntentionTarget.parse("db"), ALLOW).id(ID).build();
    assertThat(withId).hasToString("default/web => default/db (ID: " + ID
        + ", Precedence: 9, Action: ALLOW)");
  }

  @Test
  void ofMakesAnIntentionAsTheExactApiDoes() {
    Intention i = Intention.of("web", "db", ALLOW);

    assertThat(i.id()).isEmpty();
    assertThat(i.description()).isEmpty();
    assertThat(i.meta()).isEmpty();
    assertThat(i.createIndex()).isZero();
    assertThat(i.modifyIndex()).isZero();
    assertThat(i.createdAt()).isEmpty();
    assertThat(i.updatedAt()).isEmpty();
  }

  @Test
  void builderSetsEveryPart() {
    Instant created = Instant.parse("2026-11-27T08:25:41.481832744Z");
    Instant updated = Instant.parse("2026-11-27T08:25:41.498242605Z");
    Intention i = Intention.builder(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
            ALLOW)
        .id(ID).description("web may talk to db").meta(Map.of("owner", "team-a"))
        .createIndex(36).modifyIndex(40).createdAt(created).updatedAt(updated).build();

    assertThat(i.id()).isEqualTo(ID);
    assertThat(i.description()).isEqualTo("web may talk to db");
    assertThat(i.meta()).containsExactly(Map.entry("owner", "team-a"));
    assertThat(i.createIndex()).isEqualTo(36);
    assertThat(i.modifyIndex()).isEqualTo(40);
    assertThat(i.createdAt()).contains(created);
    assertThat(i.updatedAt()).contains(updated);
  }

  @Test
  void modifyIndexDefaultsToCreateIndex() {
    Intention i = Intention.builder(IntentionTarget.parse("web"), IntentionTarget.parse("db"),
        ALLOW).createIndex(7).build();

    assertThat(i.modifyIndex()).isEqualTo(7);
  }

  @Test
  void builderRefusesASettingTwice() {
    Intention.Builder b = Intention.builder(IntentionTarget.parse("web"),
        IntentionTarget.parse("db"), ALLOW).createIndex(3);

    assertThatThrownBy(() -> b.createIndex(4)).isInstanceOf(IllegalStateException.class)
        .hasMessage("createIndex was already set to 3");
  }

  @Test
  void metaIsCopiedSortedAndImmutable() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("b", "2");
    meta.put("a", "1");
    Intention i = new Intention("", IntentionTarget.parse("web"), IntentionTarget.parse("db"),
        ALLOW, "", meta, 0, 0, java.util.Optional.empty(), java.util.Optional.empty());
    meta.put("c", "3");

    assertThat(i.meta()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThatThrownBy(() -> i.meta().put("d", "4"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void metaLimitsAreConsuls() {
    assertThat(withMeta(meta(64, 128, 512)).meta()).hasSize(64);
    assertThatThrownBy(() -> withMeta(meta(65, 5, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Meta exceeds maximum element count 64: 65 pairs");
    assertThatThrownBy(() -> withMeta(Map.of("k".repeat(129), "v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Meta key \"kkk")
        .hasMessageEndingWith("exceeds maximum length 128: 129 bytes");
    assertThatThrownBy(() -> withMeta(Map.of("owner", "\u00e9".repeat(257))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Meta value for key \"owner\" exceeds maximum length 512: 514 bytes");
  }

  @Test
  void metaRejectsNulls() {
    Map<String, String> meta = new HashMap<>();
    meta.put("owner", null);

    assertThatThrownBy(() -> withMeta(meta)).isInstanceOf(NullPointerException.class)
        .hasMessage("meta value for key owner");
  }

  @Test
  void descriptionIsAtMost512Bytes() {
    builder().description("d".repeat(512)).build();
    assertThatThrownBy(() -> builder().description("d".repeat(513)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Description exceeds maximum length 512: 513 bytes");
  }

  @Test
  void idIsEmptyOrAUuid() {
    builder().id("E96803D9-1825-9B79-D50F-F13F08CFFEC8").build();
    assertThatThrownBy(() -> builder().id("not-a-uuid").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id must be empty or a UUID such as 353609c9-81a8-0081-5b0a-5608979d6d3a:"
            + " \"not-a-uuid\"");
  }

  @Test
  void indexesAreOrdered() {
    assertThatThrownBy(() -> builder().createIndex(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("createIndex must not be negative: -1");
    assertThatThrownBy(() -> builder().createIndex(5).modifyIndex(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("modifyIndex must not be less than createIndex: 3 < 5");
  }

  @Test
  void actionWireNames() {
    assertThat(IntentionAction.parse("allow")).isEqualTo(ALLOW);
    assertThat(IntentionAction.parse("deny")).isEqualTo(DENY);
    assertThat(ALLOW.wireName()).isEqualTo("allow");
    assertThat(DENY.wireName()).isEqualTo("deny");
    assertThatThrownBy(() -> IntentionAction.parse("ALLOW"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Action must be set to 'allow' or 'deny': \"ALLOW\"");
    assertThatThrownBy(() -> IntentionAction.parse("maybe"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Action must be set to 'allow' or 'deny': \"maybe\"");
  }

  private static Intention.Builder builder() {
    return Intention.builder(IntentionTarget.parse("web"), IntentionTarget.parse("db"), ALLOW);
  }

  private static Intention withMeta(Map<String, String> meta) {
    return builder().meta(meta).build();
  }

  private static Map<String, String> meta(int pairs, int keyLength, int valueLength) {
    Map<String, String> meta = new HashMap<>();
    for (int i = 0; i < pairs; i++) {
      String prefix = String.format("%03d", i);
      meta.put(prefix + "k".repeat(keyLength - 3), "v".repeat(valueLength));
    }
    return meta;
  }
}
