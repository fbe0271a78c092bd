package dev.toriimcp.oauth.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Log forging (CWE-117): nothing a client sends can start a line of its own in the log. */
class LogSafeTest {

  @Test
  void escapesLineBreaksAndControlCharacters() {
    assertThat(LogSafe.text("https://a.example/\r\nSEVERE: forged")).isEqualTo(
        "https://a.example/\\r\\nSEVERE: forged");
    assertThat(LogSafe.text("tab\there\u001b[31mred\u0085next")).isEqualTo(
        "tab\\there\\u001b[31mred\\u0085next");
    assertThat(LogSafe.text("a\u2028b\u2029c\u202ed")).isEqualTo("a\\u2028b\\u2029c\\u202ed");
  }

  @Test
  void keepsOrdinaryTextAndMakesTheEscapingUnambiguous() {
    assertThat(LogSafe.text("torii-abc_DEF.123 é ü")).isEqualTo("torii-abc_DEF.123 é ü");
    assertThat(LogSafe.text("a\\nb")).as("a literal backslash-n is not a line break")
        .isEqualTo("a\\\\nb");
    assertThat(LogSafe.text(null)).isEqualTo("null");
  }

  @Test
  void cutsLongValues() {
    String escaped = LogSafe.text("x".repeat(10_000));
    assertThat(escaped).startsWith("x".repeat(LogSafe.MAX_LENGTH)).endsWith("...(10000 chars)");
    assertThat(escaped.length()).isLessThan(LogSafe.MAX_LENGTH + 20);
  }
}
