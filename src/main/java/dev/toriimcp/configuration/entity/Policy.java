package dev.toriimcp.configuration.entity;

import java.util.List;

/**
 * Which operations of a backend's spec become tools. Entries of {@code allow} and {@code deny} are
 * {@code "METHOD /path-glob"} strings; tags filter on the operation's OpenAPI tags. An empty allow
 * list allows everything; deny always wins.
 */
public record Policy(
    List<String> allow, List<String> deny, List<String> includeTags, List<String> excludeTags) {

  public static final Policy ALLOW_ALL = new Policy(List.of(), List.of(), List.of(), List.of());

  public Policy {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    includeTags = List.copyOf(includeTags);
    excludeTags = List.copyOf(excludeTags);
  }
}
