package dev.toriimcp.platform.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiringCacheTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final ExpiringCache<String, String> cache = new ExpiringCache<>(3);

  @Test
  void anEntryCountsUntilItsTime() {
    cache.put("a", "1", T0.plusSeconds(5));

    assertThat(cache.get("a", T0)).isEqualTo("1");
    assertThat(cache.get("a", T0.plusSeconds(4))).isEqualTo("1");
    assertThat(cache.get("a", T0.plusSeconds(5))).isNull();
    assertThat(cache.get("b", T0)).isNull();
  }

  @Test
  void aFullCacheStartsAfresh() {
    cache.put("a", "1", T0.plusSeconds(5));
    cache.put("b", "2", T0.plusSeconds(5));
    cache.put("c", "3", T0.plusSeconds(5));

    cache.put("d", "4", T0.plusSeconds(5));

    assertThat(cache.get("a", T0)).isNull();
    assertThat(cache.get("c", T0)).isNull();
    assertThat(cache.get("d", T0)).isEqualTo("4");
  }

  @Test
  void removeAndClearForget() {
    cache.put("a", "1", T0.plusSeconds(5));
    cache.put("b", "2", T0.plusSeconds(5));

    cache.remove("a");
    assertThat(cache.get("a", T0)).isNull();
    assertThat(cache.get("b", T0)).isEqualTo("2");
    cache.clear();
    assertThat(cache.get("b", T0)).isNull();
  }
}
