package dev.toriimcp.mcp.control;

import java.util.ArrayList;
import java.util.List;

/**
 * The MCP versions the gateway serves, by era (MCP 2026-07-28 basic/versioning, "Terminology"):
 * the handshake era ("legacy": {@code initialize} opens a session that fixes the version) and
 * the stateless era ("modern": every request names its version in {@code _meta}). Newest first.
 */
public final class ProtocolVersions {

  /** The versions a client negotiates with {@code initialize}. */
  public static final List<String> HANDSHAKE =
      List.of("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05");
  /** The versions whose requests carry their version and capabilities themselves. */
  public static final List<String> STATELESS = List.of("2026-07-28");
  /** Every version served, as {@code server/discover} and {@code -32022} name them. */
  public static final List<String> SUPPORTED = supported();

  private ProtocolVersions() {}

  /** Whether {@code version} is one of the stateless era's. */
  public static boolean stateless(String version) {
    return version != null && STATELESS.contains(version);
  }

  private static List<String> supported() {
    List<String> all = new ArrayList<>(STATELESS);
    all.addAll(HANDSHAKE);
    return List.copyOf(all);
  }
}
