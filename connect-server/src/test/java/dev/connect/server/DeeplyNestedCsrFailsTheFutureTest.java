package dev.connect.server;

import static dev.connect.testkit.TestCertificates.nestedSequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connect.core.InvalidCsrException;
import dev.connect.core.IssuedCertificate;
import dev.connect.core.QueryOptions;
import dev.connect.core.QueryResult;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding (item 6): {@link EmbeddedServer#signLeaf} threw {@link StackOverflowError}
 * synchronously for a CSR nesting 2,000 SEQUENCEs (about 10 KB of PEM), since it turns only
 * runtime exceptions into a failed future. It now returns a future failed with {@link
 * InvalidCsrException.Problem#MALFORMED}, and the server keeps signing.
 */
class DeeplyNestedCsrFailsTheFutureTest {
  @TempDir Path dir;

  @Test
  void twoThousandNestedSequencesFailTheFutureAsMalformed() throws Exception {
    try (EmbeddedServer server = EmbeddedServer.builder().dataDirectory(dir).open()) {
      String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
          + Base64.getMimeEncoder().encodeToString(nestedSequences(2000))
          + "\n-----END CERTIFICATE REQUEST-----\n";

      CompletableFuture<QueryResult<IssuedCertificate>> f =
          server.signLeaf(pem, QueryOptions.defaults());

      assertThat(f).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(InvalidCsrException.class)
          .withMessageStartingWith("CSR encoding nests more than 32 levels deep")
          .satisfies(e -> assertThat(((InvalidCsrException) e).problem())
              .isEqualTo(InvalidCsrException.Problem.MALFORMED));
      assertThat(Leaves.issue(server, "web").service().service()).isEqualTo("web");
    }
  }
}
