package dev.toriimcp.configuration.entity;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One backend: a REST API described by an OpenAPI/Swagger document, served as the MCP endpoint
 * {@code /mcp/<name>} and protected as its own OAuth resource.
 *
 * @param name unique, {@code ^[a-z0-9][a-z0-9-]{0,62}$}; part of URLs and scopes
 * @param specLocation where the spec is: an http(s) URL, or a file resolved against the
 *     configuration file's directory
 * @param baseUrl upstream base URL; {@code null} means the spec's own {@code servers}
 * @param policy which operations become tools
 * @param auth how users log in upstream; {@code null} when the backend needs no user credential
 * @param tools per-operation overrides, keyed by operationId or {@code "METHOD /path"}
 * @param exposure how much of the catalog {@code tools/list} shows, and how descriptions are kept
 * @param specRefresh how often an http(s) spec is fetched again to see whether it changed;
 *     {@link Duration#ZERO} for never (a file spec is watched with the configuration file)
 */
public record BackendDefinition(
    String name, URI specLocation, URI baseUrl, Policy policy, UpstreamAuth auth,
    Map<String, ToolOverride> tools, Exposure exposure, Duration specRefresh) {

  /** The default {@link #specRefresh}: five minutes. */
  public static final Duration DEFAULT_SPEC_REFRESH = Duration.ofMinutes(5);
  public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  public BackendDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(specLocation, "specLocation");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(exposure, "exposure");
    Objects.requireNonNull(specRefresh, "specRefresh");
    tools = Map.copyOf(tools);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid backend name");
    }
  }

  /** A backend with the {@link Exposure#DEFAULT default exposure}. */
  public BackendDefinition(
      String name, URI specLocation, URI baseUrl, Policy policy, UpstreamAuth auth,
      Map<String, ToolOverride> tools) {
    this(name, specLocation, baseUrl, policy, auth, tools, Exposure.DEFAULT);
  }

  /** A backend whose http(s) spec is fetched again every {@link #DEFAULT_SPEC_REFRESH}. */
  public BackendDefinition(
      String name, URI specLocation, URI baseUrl, Policy policy, UpstreamAuth auth,
      Map<String, ToolOverride> tools, Exposure exposure) {
    this(name, specLocation, baseUrl, policy, auth, tools, exposure, DEFAULT_SPEC_REFRESH);
  }

  /** The MCP endpoint path of this backend, relative to the gateway root. */
  public String mcpPath() {
    return "/mcp/" + name;
  }
}
