package dev.toriimcp.catalog.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CatalogReportTest {

  @Test
  void theExampleConfigurationIsReportedThoughItHasTheDemoSealingKey() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = CatalogReport.run(new String[] {"examples/mcp-proxy.yaml"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"demo\"")
        .contains("\"estimatedTokens\"").contains("\"estimatedTokensBeforeCompaction\"")
        .contains("\"toolsListBytesBeforeCompaction\"");
  }
}
