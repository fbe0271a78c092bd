/**
 * Sealing secrets at rest: each user's upstream credential is encrypted with AES-256-GCM as a
 * compact JWE ({@code dir}, {@code A256GCM}, {@code kid}) from Nimbus JOSE+JWT, under a key from
 * the configuration, with the backend and the user bound into the authenticated header so that a
 * sealed value cannot be moved to another row. Keys rotate: every key listed still opens what it
 * sealed; new values use the current key. The gateway never generates a key itself.
 */
package dev.toriimcp.sealing;
