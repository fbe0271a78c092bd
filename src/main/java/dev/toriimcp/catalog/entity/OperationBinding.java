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
 */
public record OperationBinding(
    String method,
    String pathTemplate,
    List<String> servers,
    List<ParameterBinding> parameters,
    BodyBinding body,
    List<String> accept) {

  public OperationBinding {
    servers = List.copyOf(servers);
    parameters = List.copyOf(parameters);
    accept = List.copyOf(accept);
  }

  /** {@code "GET /pets/{petId}"}: how policies and reports name the operation. */
  public String reference() {
    return method + " " + pathTemplate;
  }
}
