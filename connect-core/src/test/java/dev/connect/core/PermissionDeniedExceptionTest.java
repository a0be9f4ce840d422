package dev.connect.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PermissionDeniedExceptionTest {
  private static final String ACCESSOR = "ae57a5c5-847c-23dd-51d6-70dbba39354a";

  @Test
  void namesTokenPermissionAndResourceAsNewerConsulDoes() {
    PermissionDeniedException e =
        new PermissionDeniedException(ACCESSOR, Permission.serviceWrite("web"));
    assertThat(e).isInstanceOf(ConnectException.class).hasMessage("Permission denied: token with"
        + " AccessorID '" + ACCESSOR + "' lacks permission 'service:write' on \"web\"");
    assertThat(e.accessorId()).contains(ACCESSOR);
    assertThat(e.permission()).contains(Permission.serviceWrite("web"));
  }

  @Test
  void speaksOfTheAnonymousTokenAndOfAnUnknownOne() {
    assertThat(new PermissionDeniedException(AclToken.ANONYMOUS_ACCESSOR_ID,
        Permission.operatorRead())).hasMessage("Permission denied: anonymous token lacks"
            + " permission 'operator:read'. The anonymous token is used implicitly when a request"
            + " does not specify a token.");
    PermissionDeniedException unknown = new PermissionDeniedException(Permission.aclWrite());
    assertThat(unknown).hasMessage("Permission denied: provided token lacks permission"
        + " 'acl:write'");
    assertThat(unknown.accessorId()).isEmpty();
  }

  @Test
  void carriesACauseForOtherRefusals() {
    PermissionDeniedException e = PermissionDeniedException
        .withCause("ACL bootstrap no longer allowed (reset index: 5)");
    // the text Consul 1.10 answered in acl-bootstrap-after-master.json
    assertThat(e).hasMessage(AclSamples.string(AclSamples.json("acl-bootstrap-after-master.json"),
        "response", "body"));
    assertThat(e.permission()).isEmpty();
    assertThat(e.accessorId()).isEmpty();
    assertThat(PermissionDeniedException.withCause("Missing service:write on db"))
        .hasMessage(AclSamples.string(AclSamples.json(
            "acl-agent-service-register-db-web-token.json"), "response", "body"));
  }

  @Test
  void everyMessageStartsWithConsul110sBody() {
    String body = AclSamples.string(AclSamples.json("acl-leaf-db-with-web-token.json"),
        "response", "body");
    assertThat(body).isEqualTo("Permission denied");
    assertThat(new PermissionDeniedException(ACCESSOR, Permission.serviceWrite("db")))
        .hasMessageStartingWith(body);
  }

  @Test
  void aclNotFoundIsConsulsText() {
    String body = AclSamples.string(AclSamples.json("acl-token-self-bogus.json"), "response",
        "body");
    assertThat(new AclNotFoundException()).isInstanceOf(ConnectException.class).hasMessage(body);
    assertThat(AclNotFoundException.MESSAGE).isEqualTo("ACL not found");
  }
}
