package dev.toriimcp.catalog.entity;

import java.util.List;

/**
 * Everything needed to turn a tool call back into the HTTP request the spec describes.
 *
 * @param method upper-case HTTP method
 * @param pathTemplate the spec's path, e.g. {@code /pets/{petId}}
 * @param servers candidate base URLs, most specific first (operation, path item, document),
 *     with server variables substituted by their defaults; may be relative to the spec's URL
 * @param parameters path, query, header and cookie parameters
 * @param body the request body, or {@code null}
 * @param accept media types of the operation's responses, successful ones first
 * @param tags the operation's OpenAPI {@code tags}, in spec order: not sent anywhere, only
 *     searched (ADR 0030)
 */
public record OperationBinding(
    String method,
    String pathTemplate,
    List<String> servers,
    List<ParameterBinding> parameters,
    BodyBinding body,
    List<String> accept,
    List<String> tags) {

  public OperationBinding {
    servers = List.copyOf(servers);
    parameters = List.copyOf(parameters);
    accept = List.copyOf(accept);
    tags = List.copyOf(tags);
  }

  /** A binding of an operation without tags. */
  public OperationBinding(String method, String pathTemplate, List<String> servers,
      List<ParameterBinding> parameters, BodyBinding body, List<String> accept) {
    this(method, pathTemplate, servers, parameters, body, accept, List.of());
  }

  /** {@code "GET /pets/{petId}"}: how policies and reports name the operation. */
  public String reference() {
    return method + " " + pathTemplate;
  }
}
