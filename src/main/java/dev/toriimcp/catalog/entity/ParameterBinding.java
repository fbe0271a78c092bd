package dev.toriimcp.catalog.entity;

/**
 * How one tool argument becomes one request parameter.
 *
 * @param argument the property name in the tool's input schema
 * @param name the parameter's name on the wire
 * @param in where it goes
 * @param required whether the operation requires it
 * @param style OpenAPI serialisation style ({@code form}, {@code simple}, {@code spaceDelimited},
 *     {@code pipeDelimited}, {@code deepObject}, {@code label}, {@code matrix})
 * @param explode OpenAPI {@code explode}
 * @param allowReserved OpenAPI {@code allowReserved} (query only)
 */
public record ParameterBinding(
    String argument,
    String name,
    ParameterLocation in,
    boolean required,
    String style,
    boolean explode,
    boolean allowReserved) {}
