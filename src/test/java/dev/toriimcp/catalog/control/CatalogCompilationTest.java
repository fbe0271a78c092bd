package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toriimcp.catalog.entity.BackendCatalog;
import dev.toriimcp.catalog.entity.CatalogSummary;
import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.Exposure;
import dev.toriimcp.configuration.entity.Exposure.Descriptions;
import dev.toriimcp.configuration.entity.Policy;
import dev.toriimcp.testing.SpecCorpus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogCompilationTest {

  private static BackendDefinition cafe(Descriptions descriptions) throws Exception {
    return new BackendDefinition("cafe", SpecCorpus.named("redoc-demo-cafe-oas3.2.yaml").root()
        .toUri(), null, Policy.ALLOW_ALL, null, Map.of(),
        new Exposure(Exposure.Mode.AUTO, 20_000, descriptions));
  }

  @Test
  void compactDescriptionsAreReportedWithWhatTheyWouldCostInFull() throws Exception {
    CatalogCompilation compilation = new CatalogCompilation(SpecCompiler.Settings.DEFAULT);
    CatalogSummary compact = CatalogCompilation.summary(compilation.compile(cafe(Descriptions.COMPACT)));
    CatalogSummary full = CatalogCompilation.summary(compilation.compile(cafe(Descriptions.FULL)));

    assertThat(compact.toolsListBytes()).isLessThan(full.toolsListBytes());
    assertThat(compact.toolsListBytesBeforeCompaction()).isEqualTo(full.toolsListBytes());
    assertThat(compact.estimatedTokens()).isEqualTo(compact.toolsListBytes() / 4);
    assertThat(compact.estimatedTokensBeforeCompaction()).isEqualTo(full.estimatedTokens());
    assertThat(full.toolsListBytesBeforeCompaction()).isEqualTo(full.toolsListBytes());
    assertThat(compact.line()).matches("backend 'cafe': 12 tools, tools/list [0-9,]+ bytes"
        + " \\(~[0-9,]+ tokens; ~[0-9,]+ before compaction\\), 0 operations skipped")
        .contains(String.format(java.util.Locale.ROOT, "~%,d before", full.estimatedTokens()));
    assertThat(full.line()).doesNotContain("before compaction")
        .contains(String.format(java.util.Locale.ROOT, "(~%,d tokens)", full.estimatedTokens()));
  }

  @Test
  void aCatalogCompiledElsewhereReportsNoSaving() throws Exception {
    var catalog = new SpecCompiler(SpecCompiler.Settings.DEFAULT).compile("cafe",
        new SpecLoader().load(cafe(Descriptions.COMPACT).specLocation()), Policy.ALLOW_ALL);
    CatalogSummary summary = CatalogCompilation.summary(new BackendCatalog.Ready(catalog));

    assertThat(summary.toolsListBytesBeforeCompaction()).isEqualTo(summary.toolsListBytes());
  }

  @Test
  void theLineAndTheReportSayWhenABackendIsServedDynamically() throws Exception {
    BackendDefinition tight = new BackendDefinition("cafe", cafe(Descriptions.COMPACT)
        .specLocation(), null, Policy.ALLOW_ALL, null, Map.of(),
        new Exposure(Exposure.Mode.AUTO, 100, Descriptions.COMPACT));
    CatalogCompilation compilation = new CatalogCompilation(SpecCompiler.Settings.DEFAULT);
    CatalogSummary dynamic = CatalogCompilation.summary(compilation.compile(tight));
    CatalogSummary all = CatalogCompilation.summary(compilation.compile(cafe(Descriptions.COMPACT)));

    assertThat(dynamic.exposure()).isEqualTo("dynamic");
    assertThat(dynamic.line()).endsWith(", served dynamically instead (search_tools,"
        + " describe_tool, call_tool), 0 operations skipped");
    assertThat(all.exposure()).isEqualTo("all");
    assertThat(all.line()).doesNotContain("dynamically");
  }

  @Test
  void aFailedBackendSaysWhy() {
    CatalogSummary failed = CatalogCompilation.summary(new BackendCatalog.Failed("x", "no spec"));

    assertThat(failed.line()).isEqualTo("backend 'x': NOT AVAILABLE: no spec");
  }
}
