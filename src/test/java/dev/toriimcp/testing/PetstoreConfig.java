package dev.toriimcp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code mcp-proxy.yaml} for tests and benchmarks whose backends are petstore-v3 (from the
 * shared corpus) behind a login-broker upstream, with its own Derby directory and a test sealing
 * key. Written to {@code target/it-config/<name>.yaml}.
 */
public final class PetstoreConfig {

  /**
   * One backend: its name, its API's base URL, its login endpoint, and its {@code tools}
   * overrides in flow style (or null).
   */
  public record Backend(String name, String baseUrl, String loginUrl, String tools) {
    public Backend(String name, String baseUrl, String loginUrl) {
      this(name, baseUrl, loginUrl, null);
    }
  }

  private PetstoreConfig() {}

  /** @param limits the {@code limits} mapping in flow style, e.g. {@code {upstream_timeout: 1}} */
  public static Path write(String name, String limits, Backend... backends) throws IOException {
    String spec = SpecCorpus.named("petstore-v3.yaml").root().toAbsolutePath().normalize().toString();
    List<String> lines = new ArrayList<>(List.of("public_url: ${TORII_PUBLIC_URL}", "backends:"));
    for (Backend backend : backends) {
      lines.addAll(List.of(
          "  - name: " + backend.name(),
          "    spec_url: " + spec,
          "    base_url: " + backend.baseUrl(),
          "    auth: {type: login-broker, login_url: \"" + backend.loginUrl() + "\"}"));
      if (backend.tools() != null) {
        lines.add("    tools: " + backend.tools());
      }
    }
    lines.addAll(List.of(
        "limits: " + limits,
        "storage: {derby_directory: target/it-data/" + name + "-" + System.nanoTime() + "}",
        "sealing: {keys: [{id: k, secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=}]}", ""));
    Path config = Files.createDirectories(Path.of("target/it-config")).resolve(name + ".yaml");
    Files.writeString(config, String.join("\n", lines));
    return config;
  }
}
