package dev.connect.consul;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connect.ca.CaConfiguration;
import dev.connect.core.CaRoots;
import dev.connect.core.Intention;
import dev.connect.core.IntentionAction;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wire records map to the core types and back without losing what both hold. */
class CoreMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode sample(String name) throws IOException {
    return JSON.readTree(ConsulSamplesReplayTest.samples().resolve(name).toFile());
  }

  @Test
  void rootsFromConsulBecomeCoreRootsAndEncodeBackByteForByte() throws Exception {
    JsonNode reply = sample("ca-rotation-1-roots-after.json").get("response");
    CaRootsWire wire = ConsulJson.decodeResponse(
        JSON.writeValueAsBytes(reply.get("body")), Shape.of(CaRootsWire.class));
    CaRoots roots = wire.toCaRoots();
    assertThat(roots.roots()).hasSize(2);
    String fingerprint = HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-1")
        .digest(roots.active().certificate().getEncoded()));
    assertThat(roots.activeRootId()).isEqualTo(fingerprint);
    assertThat(roots.active().intermediates()).hasSize(1);
    assertThat(JSON.readTree(ConsulJson.encode(CaRootsWire.from(roots), JsonStyle.COMPACT)))
        .isEqualTo(reply.get("body"));
  }

  @Test
  void userSuppliedRootSerialIsTheUnsignedLow64Bits() throws Exception {
    JsonNode body = sample("ca-rotation-1-roots-after.json").get("response").get("body");
    CaRootsWire wire = ConsulJson.decodeResponse(JSON.writeValueAsBytes(body),
        Shape.of(CaRootsWire.class));
    CaRootWire active = wire.roots().stream().filter(CaRootWire::active).findFirst().orElseThrow();
    assertThat(active.serialNumber().toString()).isEqualTo("8348323757982645770");
    CaRootWire lying = new CaRootWire(active.id(), active.name(),
        active.serialNumber().add(java.math.BigInteger.ONE), active.signingKeyId(),
        active.externalTrustDomain(), active.notBefore(), active.notAfter(), active.rootCert(),
        active.intermediateCerts(), true, active.privateKeyType(), active.privateKeyBits(),
        active.createIndex(), active.modifyIndex());
    assertThatThrownBy(lying::toCaRoot).hasMessageContaining("SerialNumber 8348323757982645771");
  }

  @Test
  void intentionRoundTripsThroughTheLegacyShape() throws IOException {
    JsonNode body = sample("intention-get-by-id.json").get("response").get("body");
    IntentionWire wire = ConsulJson.decodeResponse(JSON.writeValueAsBytes(body),
        Shape.of(IntentionWire.class));
    Intention intention = wire.toIntention();
    assertThat(intention.action()).isEqualTo(IntentionAction.ALLOW);
    assertThat(intention.meta()).isEqualTo(Map.of("owner", "team-a"));
    IntentionWire back = IntentionWire.from(intention);
    assertThat(back).isEqualTo(new IntentionWire(wire.createdAt(), wire.updatedAt(), wire.id(),
        wire.description(), "default", "web", "default", "db", "consul", "allow", null,
        wire.meta(), 9, null, wire.createIndex(), wire.modifyIndex()));
  }

  @Test
  void l7IntentionIsRefusedNotTruncatedToL4() throws IOException {
    JsonNode body = sample("intention-get-exact-l7-web-shop.json").get("response").get("body");
    IntentionWire wire = ConsulJson.decodeResponse(JSON.writeValueAsBytes(body),
        Shape.of(IntentionWire.class));
    assertThatThrownBy(wire::toIntention).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Permissions").hasMessageContaining("web");
  }

  @Test
  void caConfigurationPutBecomesCoreConfiguration() throws IOException {
    JsonNode body = sample("ca-rotation-2-put-config-consul-ttl.json").get("request").get("body");
    CaConfigurationRequestWire put = ConsulJson.decodeRequest(JSON.writeValueAsBytes(body),
        Shape.of(CaConfigurationRequestWire.class));
    CaConfiguration config = put.toCaConfiguration();
    assertThat(config.leafCertTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(put.privateKeyPem()).isEmpty();

    CaConfigurationWire get = CaConfigurationWire.from(config, 1, 2);
    assertThat(get.toCaConfiguration()).isEqualTo(config);
    assertThat(get.toString()).contains("<redacted>");
  }

  @Test
  void badCaConfigurationValuesNameTheKey() {
    assertThatThrownBy(() -> new CaConfigurationRequestWire("consul",
        Map.of("LeafCertTTL", "3 days"), null, null).toCaConfiguration())
        .hasMessage("Config.LeafCertTTL: time: unknown unit \" days\" in duration \"3 days\"");
    assertThatThrownBy(() -> new CaConfigurationRequestWire("consul",
        Map.of("PrivateKeyType", "dsa"), null, null).toCaConfiguration())
        .hasMessage("private key type must be either 'ec' or 'rsa': \"dsa\"");
    assertThatThrownBy(() -> new CaConfigurationRequestWire("consul",
        Map.of("PrivateKeyBits", "many"), null, null).toCaConfiguration())
        .hasMessage("Config.PrivateKeyBits must be an integer: \"many\"");
  }

  @Test
  void secretsAreRedactedInToString() throws IOException {
    JsonNode body = sample("acl-token-read-self-web.json").get("response").get("body");
    AclTokenWire token = ConsulJson.decodeResponse(JSON.writeValueAsBytes(body),
        Shape.of(AclTokenWire.class));
    assertThat(token.toString()).doesNotContain(token.secretId()).contains("<redacted>");
    JsonNode leafBody = sample("agent-ca-leaf-db.json").get("response").get("body");
    LeafCertWire leaf = ConsulJson.decodeResponse(
        leafBody.toString().getBytes(UTF_8), Shape.of(LeafCertWire.class));
    assertThat(leaf.toString()).doesNotContain("PRIVATE KEY").contains("<redacted>");
  }
}
