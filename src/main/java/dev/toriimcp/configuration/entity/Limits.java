package dev.toriimcp.configuration.entity;

/**
 * Size limits that trade completeness for a client's context window.
 *
 * @param descriptionLength longest tool or parameter description, in characters
 * @param responseBytes longest upstream response body passed to the model, in bytes
 * @param schemaDepth how many nested {@code $ref}s an input schema inlines before cutting
 */
public record Limits(int descriptionLength, int responseBytes, int schemaDepth) {

  public static final Limits DEFAULT = new Limits(1024, 1_048_576, 4);
}
