package dev.toriimcp.catalog.control;

import dev.toriimcp.configuration.entity.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Applies a backend's policy to one operation. Rules are {@code "METHOD /path-glob"}: METHOD is
 * an HTTP method or {@code *}; in the glob, {@code *} matches any characters, including {@code /}.
 * Deny wins over allow; an empty allow list allows everything; tags filter on top.
 */
final class PolicyMatcher {

  private record Rule(String text, String method, Pattern path) {}

  private final List<Rule> allow;
  private final List<Rule> deny;
  private final Policy policy;

  PolicyMatcher(Policy policy) {
    this.policy = policy;
    this.allow = rules(policy.allow());
    this.deny = rules(policy.deny());
  }

  /** Why the operation is not a tool, or {@code null} if it is. */
  String refusal(String method, String path, List<String> tags) {
    for (Rule rule : deny) {
      if (matches(rule, method, path)) {
        return "denied by policy rule '" + rule.text() + "'";
      }
    }
    if (!allow.isEmpty() && allow.stream().noneMatch(rule -> matches(rule, method, path))) {
      return "not matched by any policy allow rule";
    }
    for (String tag : tags) {
      if (policy.excludeTags().contains(tag)) {
        return "tag '" + tag + "' is excluded by policy";
      }
    }
    if (!policy.includeTags().isEmpty() && tags.stream().noneMatch(policy.includeTags()::contains)) {
      return "has none of the policy's included tags";
    }
    return null;
  }

  private static boolean matches(Rule rule, String method, String path) {
    return (rule.method().equals("*") || rule.method().equals(method))
        && rule.path().matcher(path).matches();
  }

  private static List<Rule> rules(List<String> texts) {
    List<Rule> rules = new ArrayList<>();
    for (String text : texts) {
      String[] parts = text.trim().split("\\s+", 2);
      List<String> literals = new ArrayList<>();
      for (String literal : parts[1].split("\\*", -1)) {
        literals.add(Pattern.quote(literal));
      }
      String pattern = String.join(".*", literals);
      rules.add(new Rule(text, parts[0].toUpperCase(Locale.ROOT), Pattern.compile(pattern)));
    }
    return rules;
  }
}
