package dev.toriimcp.configuration.entity;

/**
 * Size limits that trade completeness for a client's context window.
 *
 * @param descriptionLength longest tool or parameter description, in characters
 * @param responseBytes longest upstream response body passed to the model, in bytes
 * @param schemaDepth how many nested {@code $ref}s an input schema inlines before cutting
 * @param upstreamConnectSeconds connect timeout of upstream calls
 * @param upstreamTimeoutSeconds total timeout of an upstream call (until the response headers)
 * @param pageSize tools per {@code tools/list} page
 * @param upstreamConcurrency upstream calls one node runs at once; more wait for a free slot
 * @param userCallsPerMinute tool calls one user may make on one backend per minute, per node
 * @param userCallsInFlight tool calls one user may have running on one backend at once, per node
 */
public record Limits(int descriptionLength, int responseBytes, int schemaDepth,
    int upstreamConnectSeconds, int upstreamTimeoutSeconds, int pageSize, int upstreamConcurrency,
    int userCallsPerMinute, int userCallsInFlight) {

  public static final Limits DEFAULT = new Limits(1024, 1_048_576, 4, 5, 30, 100, 256, 600, 16);

  /** The first three limits, with the defaults for the rest. */
  public Limits(int descriptionLength, int responseBytes, int schemaDepth) {
    this(descriptionLength, responseBytes, schemaDepth, DEFAULT.upstreamConnectSeconds(),
        DEFAULT.upstreamTimeoutSeconds(), DEFAULT.pageSize(), DEFAULT.upstreamConcurrency(),
        DEFAULT.userCallsPerMinute(), DEFAULT.userCallsInFlight());
  }
}
