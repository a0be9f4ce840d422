package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.connect.core.internal.HclNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AclTokenTest {
  private static final String ACCESSOR = "ae57a5c5-847c-23dd-51d6-70dbba39354a";
  private static final String SECRET = "3d3c7d98-aa75-8f67-0127-f12bc5895621";
  private static final Instant CREATED = Instant.parse("2026-11-27T08:27:13.499328196Z");
  private static final AclPolicyLink WEB_WRITE =
      new AclPolicyLink("cc48d19e-ac9c-cd92-f1c0-d5f093a74658", "web-write");

  private static AclToken.Builder web() {
    return AclToken.builder().accessorId(ACCESSOR).secretId(SECRET).description("web token")
        .policies(List.of(WEB_WRITE)).createTime(CREATED);
  }

  @Test
  void holdsTheRecordedToken() {
    HclNode body = AclSamples.at(AclSamples.json("acl-token-create-web.json"), "response",
        "body").orElseThrow();
    HclNode link = AclSamples.at(body, "Policies").orElseThrow().items().get(0);
    AclToken token = AclToken.builder().accessorId(AclSamples.string(body, "AccessorID"))
        .secretId(AclSamples.string(body, "SecretID"))
        .description(AclSamples.string(body, "Description"))
        .policies(List.of(new AclPolicyLink(AclSamples.string(link, "ID"),
            AclSamples.string(link, "Name"))))
        .local(Boolean.parseBoolean(AclSamples.at(body, "Local").orElseThrow().text()))
        .createTime(Instant.parse(AclSamples.string(body, "CreateTime"))).build();
    assertThat(token).isEqualTo(web().build());
    assertThat(token.accessorId()).isEqualTo(ACCESSOR);
    assertThat(token.revealSecretId()).isEqualTo(SECRET);
    assertThat(token.description()).isEqualTo("web token");
    assertThat(token.policies()).containsExactly(WEB_WRITE);
    assertThat(token.local()).isFalse();
    assertThat(token.createTime()).isEqualTo(CREATED);
    assertThat(token.isAnonymous()).isFalse();
    assertThat(token.hasGlobalManagement()).isFalse();
  }

  @Test
  void toStringShowsTheAccessorOnly() {
    AclToken token = web().build();
    assertThat(token).hasToString("AclToken[accessor=" + ACCESSOR + ", secret=<redacted>]");
    assertThat(token.toString()).doesNotContain(SECRET).doesNotContain("3d3c7d98");
  }

  @Test
  void secretMatchesOnlyTheExactSecret() {
    AclToken token = web().build();
    assertThat(token.secretMatches(SECRET)).isTrue();
    assertThat(token.secretMatches(SECRET.toUpperCase(java.util.Locale.ROOT))).isFalse();
    assertThat(token.secretMatches(SECRET.substring(1))).isFalse();
    assertThat(token.secretMatches(SECRET + " ")).isFalse();
    assertThat(token.secretMatches("")).isFalse();
    assertThat(token.secretMatches(ACCESSOR)).isFalse();
    assertThatNullPointerException().isThrownBy(() -> token.secretMatches(null))
        .withMessage("candidate");
    AclToken unicode = AclToken.builder().accessorId(ACCESSOR).secretId("s\u00e9cret\uD83D\uDE00")
        .createTime(CREATED).build();
    assertThat(unicode.secretMatches("s\u00e9cret\uD83D\uDE00")).isTrue();
    assertThat(unicode.secretMatches("secret\uD83D\uDE00")).isFalse();
  }

  @Test
  void equalityCoversEveryFieldIncludingTheSecret() {
    AclToken token = web().build();
    assertThat(token).isEqualTo(web().build()).hasSameHashCodeAs(web().build());
    assertThat(token).isNotEqualTo(AclToken.builder().accessorId(ACCESSOR).secretId("other")
        .description("web token").policies(List.of(WEB_WRITE)).createTime(CREATED).build());
    assertThat(token).isNotEqualTo(web().local(true).build());
    assertThat(token).isNotEqualTo(AclToken.builder().accessorId(ACCESSOR).secretId(SECRET)
        .description("web token").createTime(CREATED).build());
    assertThat(token).isNotEqualTo(AclToken.builder().accessorId(ACCESSOR).secretId(SECRET)
        .description("web token").policies(List.of(WEB_WRITE))
        .createTime(CREATED.plusNanos(1)).build());
    assertThat(token).isNotEqualTo("AclToken[accessor=" + ACCESSOR + ", secret=<redacted>]");
  }

  @Test
  void anonymousTokenIsConsuls() {
    HclNode recorded = AclSamples.at(AclSamples.json("acl-tokens-list.json"), "response", "body")
        .orElseThrow().items().stream()
        .filter(t -> AclSamples.string(t, "AccessorID").equals(AclToken.ANONYMOUS_ACCESSOR_ID))
        .findFirst().orElseThrow();
    AclToken anonymous = AclToken.anonymous(CREATED);
    assertThat(anonymous.accessorId()).isEqualTo("00000000-0000-0000-0000-000000000002");
    assertThat(anonymous.secretMatches(AclSamples.string(recorded, "SecretID"))).isTrue();
    assertThat(anonymous.description()).isEqualTo(AclSamples.string(recorded, "Description"));
    assertThat(anonymous.policies()).isEmpty();
    assertThat(anonymous.isAnonymous()).isTrue();
  }

  @Test
  void managementTokenLinksTheBuiltinPolicy() {
    AclToken master = AclToken.builder().accessorId("00e2c9e7-27e6-7a26-6b77-6485aa732737")
        .secretId("e95b599e-166e-7d80-08ad-aee76e7ddf19").description("Master Token")
        .policies(List.of(AclPolicyLink.to(AclPolicy.globalManagement())))
        .createTime(CREATED).build();
    assertThat(master.hasGlobalManagement()).isTrue();
  }

  @Test
  void builderValidatesEachSettingOnce() {
    assertThatIllegalArgumentException().isThrownBy(() -> AclToken.builder().accessorId("web"))
        .withMessage("accessorId must be a UUID, not \"web\"");
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().accessorId(ACCESSOR).accessorId(ACCESSOR))
        .withMessage("accessorId was already set to " + ACCESSOR);
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().secretId(SECRET).secretId(SECRET))
        .withMessage("secretId was already set to <redacted>");
    assertThatIllegalArgumentException().isThrownBy(() -> AclToken.builder().secretId(""))
        .withMessage("secretId must not be empty");
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().description("a").description("b"))
        .withMessage("description was already set to \"a\"");
    assertThatIllegalStateException().isThrownBy(() -> AclToken.builder().local(true).local(false))
        .withMessage("local was already set to true");
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().createTime(CREATED).createTime(CREATED))
        .withMessage("createTime was already set to " + CREATED);
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().policies(List.of()).policies(List.of()))
        .withMessage("policies was already set to []");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AclToken.builder().policies(List.of(WEB_WRITE, WEB_WRITE)))
        .withMessage("policy cc48d19e-ac9c-cd92-f1c0-d5f093a74658 is linked twice");
  }

  @Test
  void buildNamesTheMissingSetting() {
    assertThatIllegalStateException().isThrownBy(() -> AclToken.builder().build())
        .withMessage("accessorId is required");
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().accessorId(ACCESSOR).build())
        .withMessage("secretId is required");
    assertThatIllegalStateException()
        .isThrownBy(() -> AclToken.builder().accessorId(ACCESSOR).secretId(SECRET).build())
        .withMessage("createTime is required");
    AclToken minimal = AclToken.builder().accessorId(ACCESSOR).secretId(SECRET)
        .createTime(CREATED).build();
    assertThat(minimal.description()).isEmpty();
    assertThat(minimal.policies()).isEmpty();
    assertThat(minimal.local()).isFalse();
  }

  @Test
  void noMessageEverShowsTheSecret() {
    AclToken token = web().build();
    String denied = new PermissionDeniedException(token.accessorId(),
        Permission.serviceWrite("db")).getMessage();
    assertThat(denied).contains(ACCESSOR).doesNotContain(SECRET);
    assertThat(new AclNotFoundException().getMessage()).isEqualTo("ACL not found");
    assertThat(AclAuthorizer.of(AclDefaultPolicy.DENY, List.of())
        .forAccessor(token.accessorId()).toString()).doesNotContain(SECRET);
  }
}
