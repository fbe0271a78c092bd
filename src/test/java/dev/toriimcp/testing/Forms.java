package dev.toriimcp.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the OAuth tests do with forms, query strings and the gateway's HTML pages. */
public final class Forms {

  private Forms() {}

  /** A form body from name/value pairs, URL-encoded. */
  public static String form(String... pairs) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      out.append(out.length() == 0 ? "" : "&").append(enc(pairs[i])).append('=').append(enc(pairs[i + 1]));
    }
    return out.toString();
  }

  /** The decoded parameters of a URI's query. */
  public static Map<String, String> query(URI uri) {
    return parse(uri.getRawQuery());
  }

  /** The decoded parameters of a raw query string. */
  public static Map<String, String> parse(String rawQuery) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      String[] kv = pair.split("=", 2);
      values.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return values;
  }

  /** The value of a hidden form field of a gateway page. */
  public static String hidden(String html, String name) {
    Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
    if (!m.find()) {
      throw new AssertionError("no hidden field " + name + " in the page");
    }
    return m.group(1);
  }

  public static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
