package dev.toriimcp.catalog.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tells whether a backend's spec document changed since it was last looked at (issue 17,
 * ADR 0032), as cheaply as its location allows: a file by its size and modification time, and by
 * its digest only when those moved; an http(s) URL by a conditional GET ({@code If-None-Match},
 * {@code If-Modified-Since}), whose 304 costs no body, and by the digest of the body otherwise
 * (servers without validators still answer 200 each time). Only the root document is probed: a
 * spec split over several files changes when its root does.
 */
public final class SpecProbe {

  /** What was seen of a spec; compare two with {@link #changed}. */
  public record Fingerprint(byte[] digest, long size, long modified, String etag,
      String lastModified) {

    /** Whether {@code next} holds a different document than this one. */
    public boolean changed(Fingerprint next) {
      return next != null && !Arrays.equals(digest, next.digest);
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();

  /**
   * The spec's fingerprint now, reusing {@code previous} where the location says nothing
   * changed; {@code null} when it cannot be read now (a later probe tries again).
   */
  public Fingerprint probe(URI location, Fingerprint previous) {
    try {
      String scheme = location.getScheme() == null ? "" : location.getScheme().toLowerCase();
      if (scheme.equals("file")) {
        return file(Path.of(location), previous);
      }
      if (scheme.equals("http") || scheme.equals("https")) {
        return remote(location, previous);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Fingerprint file(Path path, Fingerprint previous) throws IOException {
    long size = Files.size(path);
    long modified = Files.getLastModifiedTime(path).toMillis();
    if (previous != null && previous.size() == size && previous.modified() == modified) {
      return previous;
    }
    if (size > SpecLoader.MAX_SPEC_BYTES) {
      return new Fingerprint(new byte[0], size, modified, null, null);
    }
    return new Fingerprint(digest(Files.readAllBytes(path)), size, modified, null, null);
  }

  private Fingerprint remote(URI location, Fingerprint previous)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json, application/yaml, text/yaml, */*");
    if (previous != null && previous.etag() != null) {
      request.header("If-None-Match", previous.etag());
    }
    if (previous != null && previous.lastModified() != null) {
      request.header("If-Modified-Since", previous.lastModified());
    }
    HttpResponse<InputStream> response =
        http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() == 304 && previous != null) {
        return previous;
      }
      if (response.statusCode() != 200) {
        return null;
      }
      byte[] bytes = body.readNBytes(SpecLoader.MAX_SPEC_BYTES + 1);
      Optional<String> etag = response.headers().firstValue("ETag");
      Optional<String> lastModified = response.headers().firstValue("Last-Modified");
      return new Fingerprint(digest(bytes), bytes.length, 0, etag.orElse(null),
          lastModified.orElse(null));
    }
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
