package dev.toriimcp.catalog.entity;

import java.util.Set;

/**
 * How the {@code body} argument becomes the request body.
 *
 * @param argument the property name in the input schema ({@code body} unless that clashes)
 * @param mediaType the Content-Type sent upstream
 * @param encoding how the argument is serialised
 * @param required whether the operation requires a body
 * @param fileFields for {@link BodyEncoding#MULTIPART}: properties that are files, given as
 *     {@code {content (base64), filename, content_type}}
 */
public record BodyBinding(
    String argument, String mediaType, BodyEncoding encoding, boolean required, Set<String> fileFields) {

  public BodyBinding {
    fileFields = Set.copyOf(fileFields);
  }
}
