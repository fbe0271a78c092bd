package dev.toriimcp.upstream.entity;

/**
 * What came back from upstream, read up to the size limit.
 *
 * @param status HTTP status
 * @param contentType the Content-Type header, or {@code null}
 * @param body the bytes read (at most the limit)
 * @param truncated whether the body was longer than the limit
 */
public record UpstreamResponse(int status, String contentType, byte[] body, boolean truncated) {}
