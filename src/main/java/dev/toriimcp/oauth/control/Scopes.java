package dev.toriimcp.oauth.control;

import java.util.LinkedHashSet;
import java.util.Set;

/** Scope strings: split on any whitespace, empty items ignored (research §2.9). */
public final class Scopes {

  private Scopes() {}

  public static Set<String> parse(String scope) {
    Set<String> items = new LinkedHashSet<>();
    if (scope != null) {
      for (String item : scope.trim().split("\\s+")) {
        if (!item.isEmpty()) {
          items.add(item);
        }
      }
    }
    return items;
  }

  public static String format(Set<String> scopes) {
    return String.join(" ", scopes);
  }
}
