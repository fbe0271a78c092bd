package dev.toriimcp.configuration.control;

import dev.toriimcp.configuration.entity.Limits;
import dev.toriimcp.configuration.entity.OAuthSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code limits} and {@code oauth}: the whole numbers that bound sizes, timeouts, rates and
 * token lifetimes. Defaults live in {@link Limits#DEFAULT} and {@link OAuthSettings#DEFAULT}.
 */
final class LimitsSectionReader {

  static final List<String> LIMIT_KEYS = List.of("description_length", "response_bytes",
      "schema_depth", "upstream_connect_timeout", "upstream_timeout", "page_size",
      "upstream_concurrency", "user_calls_per_minute", "user_calls_in_flight");
  static final List<String> OAUTH_KEYS = List.of("access_token_ttl", "refresh_token_ttl",
      "refresh_idle_ttl", "code_ttl", "refresh_grace", "metadata_documents_from_private_addresses");

  private LimitsSectionReader() {}

  static Limits limits(Node node, YamlNodes yaml) {
    if (node == null || YamlNodes.isNull(node)) {
      return Limits.DEFAULT;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, null, "limits", LIMIT_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> entries = found.get();
    Integer description = yaml.wholeNumber(entries.get("description_length"), "limits.description_length",
        Limits.DEFAULT.descriptionLength(), 20);
    Integer response = yaml.wholeNumber(entries.get("response_bytes"), "limits.response_bytes",
        Limits.DEFAULT.responseBytes(), 1024);
    Integer depth = yaml.wholeNumber(entries.get("schema_depth"), "limits.schema_depth",
        Limits.DEFAULT.schemaDepth(), 1);
    if (description == null || response == null || depth == null) {
      return null;
    }
    Integer connect = yaml.wholeNumber(entries.get("upstream_connect_timeout"),
        "limits.upstream_connect_timeout", Limits.DEFAULT.upstreamConnectSeconds(), 1);
    Integer timeout = yaml.wholeNumber(entries.get("upstream_timeout"), "limits.upstream_timeout",
        Limits.DEFAULT.upstreamTimeoutSeconds(), 1);
    Integer pageSize = yaml.wholeNumber(entries.get("page_size"), "limits.page_size",
        Limits.DEFAULT.pageSize(), 1);
    Integer concurrency = yaml.wholeNumber(entries.get("upstream_concurrency"), "limits.upstream_concurrency",
        Limits.DEFAULT.upstreamConcurrency(), 1);
    Integer perMinute = yaml.wholeNumber(entries.get("user_calls_per_minute"), "limits.user_calls_per_minute",
        Limits.DEFAULT.userCallsPerMinute(), 1);
    Integer inFlight = yaml.wholeNumber(entries.get("user_calls_in_flight"), "limits.user_calls_in_flight",
        Limits.DEFAULT.userCallsInFlight(), 1);
    if (connect == null || timeout == null || pageSize == null || concurrency == null
        || perMinute == null || inFlight == null) {
      return null;
    }
    return new Limits(description, response, depth, connect, timeout, pageSize, concurrency,
        perMinute, inFlight);
  }

  /** {@code oauth}: lifetimes in seconds. */
  static OAuthSettings oauth(Node node, YamlNodes yaml) {
    OAuthSettings d = OAuthSettings.DEFAULT;
    if (node == null || YamlNodes.isNull(node)) {
      return d;
    }
    Optional<Map<String, Node>> found = yaml.mapping(node, null, "oauth", OAUTH_KEYS);
    if (found.isEmpty()) {
      return null;
    }
    Map<String, Node> e = found.get();
    Integer access = yaml.wholeNumber(e.get("access_token_ttl"), "oauth.access_token_ttl",
        (int) d.accessToken().toSeconds(), 1);
    Integer refresh = yaml.wholeNumber(e.get("refresh_token_ttl"), "oauth.refresh_token_ttl",
        (int) d.refreshToken().toSeconds(), 1);
    Integer idle = yaml.wholeNumber(e.get("refresh_idle_ttl"), "oauth.refresh_idle_ttl",
        (int) d.refreshIdle().toSeconds(), 1);
    Integer code = yaml.wholeNumber(e.get("code_ttl"), "oauth.code_ttl", (int) d.code().toSeconds(), 1);
    Integer grace = yaml.wholeNumber(e.get("refresh_grace"), "oauth.refresh_grace",
        (int) d.refreshGrace().toSeconds(), 1);
    if (access == null || refresh == null || idle == null || code == null || grace == null) {
      return null;
    }
    if (code > 600) {
      yaml.problem(e.get("code_ttl"), null, "oauth.code_ttl",
          "at most 600 seconds (OAuth 2.1 recommends 10 minutes at most)");
      return null;
    }
    String privateAddresses = yaml.string(e.get("metadata_documents_from_private_addresses"), null,
        "oauth.metadata_documents_from_private_addresses").orElse("false");
    if (!privateAddresses.equals("true") && !privateAddresses.equals("false")) {
      yaml.problem(e.get("metadata_documents_from_private_addresses"), null,
          "oauth.metadata_documents_from_private_addresses", "expected true or false");
      return null;
    }
    return new OAuthSettings(java.time.Duration.ofSeconds(access), java.time.Duration.ofSeconds(refresh),
        java.time.Duration.ofSeconds(idle), java.time.Duration.ofSeconds(code),
        java.time.Duration.ofSeconds(grace), privateAddresses.equals("true"));
  }
}
