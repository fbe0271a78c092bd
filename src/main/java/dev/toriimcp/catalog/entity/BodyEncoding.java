package dev.toriimcp.catalog.entity;

/** How the {@code body} argument is put on the wire. */
public enum BodyEncoding {
  /** The argument is JSON and sent as it is. */
  JSON,
  /** An object whose properties become {@code application/x-www-form-urlencoded} fields. */
  FORM,
  /** An object whose properties become {@code multipart/form-data} parts; files as base64. */
  MULTIPART,
  /** A base64 string, decoded and sent as raw bytes. */
  BINARY,
  /** A string sent as it is (text, XML and other textual media types). */
  TEXT
}
