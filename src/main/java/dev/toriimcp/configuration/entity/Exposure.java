package dev.toriimcp.configuration.entity;

import java.util.Objects;

/**
 * How much of a backend's catalog a client is shown at once (issue 16, ADR 0031).
 *
 * @param mode whether {@code tools/list} holds every tool or three meta-tools that search,
 *     describe and call them
 * @param tokenBudget in {@link Mode#AUTO}, the estimated tokens of the full {@code tools/list}
 *     (its bytes / 4) above which the backend is served dynamically
 * @param descriptions whether tool descriptions are compacted for the model or kept as written
 */
public record Exposure(Mode mode, int tokenBudget, Descriptions descriptions) {

  /** The default of every backend: dynamic above 20k tokens, compact descriptions. */
  public static final Exposure DEFAULT = new Exposure(Mode.AUTO, 20_000, Descriptions.COMPACT);

  public Exposure {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(descriptions, "descriptions");
    if (tokenBudget < 1) {
      throw new IllegalArgumentException("token budget must be positive");
    }
  }

  /** The backend's {@code exposure} key. */
  public enum Mode {
    /** {@link #DYNAMIC} when the full list would exceed the token budget, else {@link #ALL}. */
    AUTO,
    /** Every tool in {@code tools/list}. */
    ALL,
    /** {@code search_tools}, {@code describe_tool} and {@code call_tool} only. */
    DYNAMIC
  }

  /** The backend's {@code descriptions} key. */
  public enum Descriptions {
    /** First paragraph, markup removed, then the length limit. */
    COMPACT,
    /** As written in the spec, up to the length limit. */
    FULL
  }
}
