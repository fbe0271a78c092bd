package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toriimcp.catalog.entity.BodyBinding;
import dev.toriimcp.catalog.entity.CompiledTool;
import dev.toriimcp.catalog.entity.OperationBinding;
import dev.toriimcp.catalog.entity.ParameterBinding;
import dev.toriimcp.upstream.entity.InvalidArgumentsException;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the upstream HTTP request of a tool call from its (already validated) arguments, as the
 * OpenAPI Specification's parameter serialisation rules say (OAS 3.1 §4.8.12.4, style and
 * explode; Swagger 2.0 collection formats arrive converted to styles by swagger-parser).
 *
 * <p>The base URL is the backend's {@code base_url}, else the operation's, path item's or
 * document's first server, resolved against the spec's own URL when relative. Path parameters are
 * encoded so that no value can change the path: {@code ?}, {@code #} and {@code %} are
 * percent-encoded, and values that a server could still read as another path ({@code .},
 * {@code ..}, anything with a {@code /} or {@code \}, encoded or not) are refused
 * ({@link PathSegmentGuard}, ADR 0016).
 */
public final class UpstreamRequestBuilder {

  /** Headers an argument may never set: the gateway or the HTTP client owns them. */
  static final Set<String> PROTECTED_HEADERS = Set.of("authorization", "proxy-authorization",
      "cookie", "host", "content-length", "content-type", "accept", "connection", "keep-alive",
      "transfer-encoding", "te", "trailer", "upgrade", "expect", "proxy-connection");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final URI baseUrl;
  private final URI specLocation;

  /**
   * @param baseUrl the backend's configured {@code base_url}, or {@code null} for the spec's servers
   * @param specLocation where the spec was loaded from; relative server URLs resolve against it
   */
  public UpstreamRequestBuilder(URI baseUrl, URI specLocation) {
    this.baseUrl = baseUrl;
    this.specLocation = specLocation;
  }

  public UpstreamRequest build(CompiledTool tool, JsonNode arguments) throws InvalidArgumentsException {
    OperationBinding binding = tool.binding();
    List<String> problems = new ArrayList<>();
    JsonNode args = arguments == null || arguments.isNull() ? EMPTY_ARGUMENTS : arguments;
    String path = binding.pathTemplate();
    StringBuilder query = new StringBuilder();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    List<String> cookies = new ArrayList<>();
    for (ParameterBinding parameter : binding.parameters()) {
      JsonNode value = args.get(parameter.argument());
      if (value == null || value.isNull()) {
        if (parameter.required()) {
          problems.add("'" + parameter.argument() + "' is required");
        }
        continue;
      }
      switch (parameter.in()) {
        case PATH -> {
          String problem = PathSegmentGuard.problem(parameter.argument(), value);
          if (problem != null) {
            problems.add(problem);
          } else {
            path = path.replace("{" + parameter.name() + "}", pathValue(parameter, value));
          }
        }
        case QUERY -> appendQuery(query, parameter, value);
        case HEADER -> header(parameter, value, headers, problems);
        case COOKIE -> cookies.add(cookie(parameter, value));
      }
    }
    byte[] body = null;
    BodyBinding bodyBinding = binding.body();
    if (bodyBinding != null) {
      JsonNode value = args.get(bodyBinding.argument());
      if (value != null && !value.isNull()) {
        Body encoded = BodyEncoder.encode(bodyBinding, value, problems, RANDOM);
        if (encoded != null) {
          body = encoded.bytes();
          headers.put("Content-Type", List.of(encoded.contentType()));
        }
      } else if (bodyBinding.required()) {
        problems.add("'" + bodyBinding.argument() + "' is required");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidArgumentsException(problems);
    }
    if (!cookies.isEmpty()) {
      headers.put("Cookie", List.of(String.join("; ", cookies)));
    }
    if (!binding.accept().isEmpty()) {
      headers.put("Accept", List.of(String.join(", ", binding.accept())));
    }
    URI uri = URI.create(base(binding) + path + (query.length() == 0 ? "" : "?" + query));
    return new UpstreamRequest(binding.method(), uri, headers, body);
  }

  /** The base URL without a trailing slash. */
  String base(OperationBinding binding) {
    URI base = baseUrl;
    if (base == null) {
      String server = binding.servers().isEmpty() ? "/" : binding.servers().get(0);
      base = URI.create(server);
      if (!base.isAbsolute()) {
        base = specLocation.resolve(base);
      }
    }
    String text = base.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }

  private static String pathValue(ParameterBinding parameter, JsonNode value) {
    String style = parameter.style();
    boolean explode = parameter.explode();
    String name = parameter.name();
    return switch (style) {
      case "label" -> "." + joined(value, explode ? "." : ",", explode ? "=" : ",",
          ParameterEncoding::pathSegment);
      case "matrix" -> matrix(name, value, explode);
      default -> joined(value, ",", explode ? "=" : ",", ParameterEncoding::pathSegment);
    };
  }

  private static String matrix(String name, JsonNode value, boolean explode) {
    String key = ";" + ParameterEncoding.strict(name);
    if (value.isArray() && explode) {
      StringBuilder out = new StringBuilder();
      value.forEach(item -> out.append(key).append('=')
          .append(ParameterEncoding.pathSegment(scalar(item))));
      return out.toString();
    }
    if (value.isObject() && explode) {
      StringBuilder out = new StringBuilder();
      value.fields().forEachRemaining(f -> out.append(';').append(ParameterEncoding.strict(f.getKey()))
          .append('=').append(ParameterEncoding.pathSegment(scalar(f.getValue()))));
      return out.toString();
    }
    return key + "=" + joined(value, ",", ",", ParameterEncoding::pathSegment);
  }

  private static void appendQuery(StringBuilder query, ParameterBinding parameter, JsonNode value) {
    java.util.function.UnaryOperator<String> encode = parameter.allowReserved()
        ? ParameterEncoding::reservedAllowed : ParameterEncoding::strict;
    String name = ParameterEncoding.strict(parameter.name());
    List<String> pairs = new ArrayList<>();
    switch (parameter.style()) {
      case "deepObject" -> deepObject(name, value, pairs, encode);
      case "spaceDelimited", "pipeDelimited" -> {
        String separator = parameter.style().equals("spaceDelimited") ? "%20" : "%7C";
        if (value.isArray() && parameter.explode()) {
          value.forEach(item -> pairs.add(name + "=" + encode.apply(scalar(item))));
        } else {
          pairs.add(name + "=" + joined(value, separator, separator, encode));
        }
      }
      default -> { // form
        if (value.isArray() && parameter.explode()) {
          value.forEach(item -> pairs.add(name + "=" + encode.apply(scalar(item))));
        } else if (value.isObject() && parameter.explode()) {
          value.fields().forEachRemaining(f -> pairs.add(ParameterEncoding.strict(f.getKey()) + "="
              + encode.apply(scalar(f.getValue()))));
        } else {
          pairs.add(name + "=" + joined(value, ",", ",", encode));
        }
      }
    }
    for (String pair : pairs) {
      if (query.length() > 0) {
        query.append('&');
      }
      query.append(pair);
    }
  }

  private static void deepObject(String prefix, JsonNode value, List<String> pairs,
      java.util.function.UnaryOperator<String> encode) {
    if (value.isObject()) {
      value.fields().forEachRemaining(f -> deepObject(
          prefix + "%5B" + ParameterEncoding.strict(f.getKey()) + "%5D", f.getValue(), pairs, encode));
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        deepObject(prefix + "%5B" + i + "%5D", value.get(i), pairs, encode);
      }
    } else if (!value.isNull()) {
      pairs.add(prefix + "=" + encode.apply(scalar(value)));
    }
  }

  private static void header(ParameterBinding parameter, JsonNode value,
      Map<String, List<String>> headers, List<String> problems) {
    if (PROTECTED_HEADERS.contains(parameter.name().toLowerCase(Locale.ROOT))) {
      return; // never settable from arguments; the spec should not declare it either
    }
    String text = joined(value, ",", parameter.explode() ? "=" : ",", s -> s);
    if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
      problems.add("'" + parameter.argument() + "' must not contain line breaks");
      return;
    }
    if (!text.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff)) {
      problems.add("'" + parameter.argument() + "' is sent as an HTTP header, which cannot carry"
          + " control characters or characters beyond Latin-1");
      return;
    }
    headers.put(parameter.name(), List.of(text));
  }

  private static String cookie(ParameterBinding parameter, JsonNode value) {
    return ParameterEncoding.strict(parameter.name()) + "="
        + joined(value, ",", ",", ParameterEncoding::strict);
  }

  /** Primitive, array or object value as one string (style simple/form without explode). */
  private static String joined(JsonNode value, String itemSeparator, String keyValueSeparator,
      java.util.function.UnaryOperator<String> encode) {
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      value.forEach(item -> items.add(encode.apply(scalar(item))));
      return String.join(itemSeparator, items);
    }
    if (value.isObject()) {
      List<String> items = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        items.add(encode.apply(field.getKey()) + keyValueSeparator + encode.apply(scalar(field.getValue())));
      }
      return String.join(itemSeparator, items);
    }
    return encode.apply(scalar(value));
  }

  static String scalar(JsonNode value) {
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isNull()) {
      return "";
    }
    return value.isContainerNode() ? value.toString() : value.asText();
  }

  private static final JsonNode EMPTY_ARGUMENTS =
      com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();

  /** An encoded body. */
  record Body(byte[] bytes, String contentType) {}

  /** Serialises the {@code body} argument per {@link BodyBinding#encoding()}. */
  static final class BodyEncoder {

    private BodyEncoder() {}

    static Body encode(BodyBinding binding, JsonNode value, List<String> problems, SecureRandom random) {
      String mediaType = binding.mediaType();
      return switch (binding.encoding()) {
        case JSON -> new Body(value.toString().getBytes(StandardCharsets.UTF_8),
            mediaType.contains("*") ? "application/json" : mediaType);
        case TEXT -> new Body(scalar(value).getBytes(StandardCharsets.UTF_8), withCharset(mediaType));
        case BINARY -> binary(binding, value, problems);
        case FORM -> form(value, problems, binding);
        case MULTIPART -> multipart(binding, value, problems, random);
      };
    }

    private static String withCharset(String mediaType) {
      return mediaType.toLowerCase(Locale.ROOT).contains("charset") ? mediaType
          : mediaType + "; charset=UTF-8";
    }

    private static Body binary(BodyBinding binding, JsonNode value, List<String> problems) {
      try {
        return new Body(Base64.getMimeDecoder().decode(scalar(value)), binding.mediaType());
      } catch (IllegalArgumentException e) {
        problems.add("'" + binding.argument() + "' must be base64-encoded bytes");
        return null;
      }
    }

    private static Body form(JsonNode value, List<String> problems, BodyBinding binding) {
      if (!value.isObject()) {
        problems.add("'" + binding.argument() + "' must be an object of form fields");
        return null;
      }
      List<String> pairs = new ArrayList<>();
      value.fields().forEachRemaining(field -> {
        String name = URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8);
        if (field.getValue().isArray()) {
          field.getValue().forEach(item ->
              pairs.add(name + "=" + URLEncoder.encode(scalar(item), StandardCharsets.UTF_8)));
        } else if (!field.getValue().isNull()) {
          pairs.add(name + "=" + URLEncoder.encode(scalar(field.getValue()), StandardCharsets.UTF_8));
        }
      });
      return new Body(String.join("&", pairs).getBytes(StandardCharsets.UTF_8),
          "application/x-www-form-urlencoded");
    }

    private static Body multipart(BodyBinding binding, JsonNode value, List<String> problems,
        SecureRandom random) {
      if (!value.isObject()) {
        problems.add("'" + binding.argument() + "' must be an object of form parts");
        return null;
      }
      byte[] token = new byte[12];
      random.nextBytes(token);
      String boundary = "torii-" + HexFormat.of().formatHex(token);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      value.fields().forEachRemaining(field -> {
        String name = field.getKey();
        JsonNode part = field.getValue();
        List<JsonNode> items = new ArrayList<>();
        if (part.isArray() && !binding.fileFields().contains(name)) {
          part.forEach(items::add);
        } else {
          items.add(part);
        }
        for (JsonNode item : items) {
          if (binding.fileFields().contains(name)) {
            filePart(out, boundary, name, item, binding, problems);
          } else if (!item.isNull()) {
            boolean json = item.isContainerNode();
            write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                + quoted(name) + "\"\r\n" + (json ? "Content-Type: application/json\r\n" : "")
                + "\r\n");
            write(out, scalar(item));
            write(out, "\r\n");
          }
        }
      });
      write(out, "--" + boundary + "--\r\n");
      return new Body(out.toByteArray(), "multipart/form-data; boundary=" + boundary);
    }

    private static void filePart(ByteArrayOutputStream out, String boundary, String name,
        JsonNode file, BodyBinding binding, List<String> problems) {
      String content = file.isTextual() ? file.asText() : file.path("content").asText(null);
      if (content == null) {
        problems.add("'" + binding.argument() + "." + name + ".content' is required");
        return;
      }
      byte[] bytes;
      try {
        bytes = Base64.getMimeDecoder().decode(content);
      } catch (IllegalArgumentException e) {
        problems.add("'" + binding.argument() + "." + name + ".content' must be base64");
        return;
      }
      String filename = file.path("filename").asText(name);
      String type = file.path("content_type").asText("application/octet-stream");
      if (type.indexOf('\r') >= 0 || type.indexOf('\n') >= 0) {
        problems.add("'" + binding.argument() + "." + name + ".content_type' is invalid");
        return;
      }
      write(out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(name)
          + "\"; filename=\"" + quoted(filename) + "\"\r\nContent-Type: " + type + "\r\n\r\n");
      out.writeBytes(bytes);
      write(out, "\r\n");
    }

    /** A name inside a quoted-string of Content-Disposition: no quote, backslash or line break. */
    private static String quoted(String text) {
      return text.replace("\\", "\\\\").replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static void write(ByteArrayOutputStream out, String text) {
      out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
