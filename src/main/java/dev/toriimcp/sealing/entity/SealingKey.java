package dev.toriimcp.sealing.entity;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * One AES-256 key and its id. {@link #toString()} never shows the key.
 *
 * @param id short identifier written into every value it seals ({@code kid})
 * @param secret exactly 32 bytes
 */
public record SealingKey(String id, byte[] secret) {

  public static final Pattern ID = Pattern.compile("^[A-Za-z0-9_.-]{1,32}$");
  public static final int LENGTH = 32;

  public SealingKey {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("invalid key id");
    }
    if (secret == null || secret.length != LENGTH) {
      throw new IllegalArgumentException("a sealing key must be 32 bytes");
    }
    secret = secret.clone();
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SealingKey key && key.id.equals(id) && Arrays.equals(key.secret, secret);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "SealingKey[" + id + "]";
  }
}
