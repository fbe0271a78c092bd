package dev.toriimcp.upstream.control;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.toriimcp.configuration.entity.UpstreamAuth;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the user's upstream credential from what an upstream answers before the model sees it.
 * Upstreams echo request headers more often than one would think (debug and error pages,
 * {@code /headers} endpoints, request dumps in a 500), and the model, its provider and any
 * prompt injection must never get the credential (MCP 2025-11-25 security best practices, "token
 * passthrough"; ADR 0016).
 *
 * <p>What is looked for: the bare credential and, where it is applied as HTTP Basic, the decoded
 * {@code user:password} and the password; each as it is, percent-encoded (upper- and lower-case
 * hex, and form encoding), base64 (standard and URL-safe alphabet, with or without padding, and
 * at each of the three alignments at which it can sit inside a longer base64 text), and each of
 * those as a JSON string escapes it (also with {@code \/}). Every copy becomes
 * {@value #MARKER}.
 *
 * <p>Short credentials: one of fewer than {@value #MIN_LENGTH} characters would match ordinary
 * text, so it is looked for only as part of the whole applied value ({@code Bearer abc},
 * {@code sid=abc}), and only when that has at least {@value #MIN_LENGTH} characters. Base64
 * fragments shorter than that are not looked for either.
 *
 * <p>Building the forms costs a few microseconds (about 40 encodings), and every tool call of a
 * user with a credential needs them; {@link #of} therefore keeps the redactions of the most
 * recently used credentials: {@value #CACHE_ENTRIES} at most, each for {@value #CACHE_SECONDS} s
 * after it was built. Expired ones are dropped at the next call a second or more after the last
 * sweep, so a credential no longer used does not stay in memory much longer because of this class
 * (ADR 0019).
 */
public final class CredentialRedaction {

  /** What a copy of the credential is replaced with. */
  public static final String MARKER = "[redacted]";

  /** The fewest characters a searched-for text has. */
  public static final int MIN_LENGTH = 8;

  /** Where a truncated body ends inside a copy, a cut copy of at least this many is removed. */
  private static final int MIN_CUT = 4;

  /** Nothing to redact: the backend needs no credential. */
  public static final CredentialRedaction NONE = new CredentialRedaction(List.of());

  private static final Pattern HEX_ESCAPE = Pattern.compile("%[0-9A-F]{2}");

  /** How many credentials' redactions {@link #of} keeps. */
  static final int CACHE_ENTRIES = 1024;

  /** How long {@link #of} keeps one after building it. */
  static final int CACHE_SECONDS = 60;

  private static final Cache CACHE =
      new Cache(CACHE_ENTRIES, Duration.ofSeconds(CACHE_SECONDS), System::nanoTime);

  private final List<String> needles;

  private CredentialRedaction(List<String> needles) {
    this.needles = needles;
  }

  /** The redaction for a credential applied as {@code auth} says. */
  public static CredentialRedaction of(UpstreamAuth auth, String credential) {
    if (auth == null || credential == null || credential.isEmpty()) {
      return NONE;
    }
    return CACHE.get(new Key(auth.cookie(), auth.applyPrefix(), credential));
  }

  /** What the needles depend on: how the credential is applied, and the credential. */
  record Key(String cookie, String applyPrefix, String credential) {
    @Override
    public String toString() {
      return "Key[credential hidden]"; // never the credential, should a key reach a log
    }
  }

  /** Builds the redaction of one key; what {@link Cache} calls on a miss. */
  static CredentialRedaction build(Key key) {
    String credential = key.credential();
    Set<String> secrets = new LinkedHashSet<>();
    String applied = key.cookie() != null ? key.cookie() + "=" + credential
        : key.applyPrefix() + credential;
    secrets.add(credential.length() >= MIN_LENGTH ? credential : applied);
    if (key.cookie() == null && key.applyPrefix().strip().equalsIgnoreCase("Basic")) {
      basic(credential, secrets);
    }
    Set<String> needles = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (secret.length() >= MIN_LENGTH) {
        for (String form : forms(secret)) {
          needles.add(form);
          needles.addAll(jsonEscaped(form));
        }
      }
    }
    List<String> sorted = new ArrayList<>(needles);
    sorted.removeIf(needle -> needle.length() < MIN_LENGTH);
    // Longest first: a whole base64 copy goes before the fragment that is part of it.
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new CredentialRedaction(List.copyOf(sorted));
  }

  /** HTTP Basic (RFC 7617 §2): the credential is base64 of {@code user:password}. */
  private static void basic(String credential, Set<String> secrets) {
    try {
      String decoded = new String(Base64.getDecoder().decode(credential.strip()),
          StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon >= 0) {
        secrets.add(decoded);
        secrets.add(decoded.substring(colon + 1));
      }
    } catch (IllegalArgumentException e) {
      // not base64: nothing more to look for
    }
  }

  private static Set<String> forms(String secret) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(secret);
    String percent = ParameterEncoding.strict(secret);
    forms.add(percent);
    Matcher hex = HEX_ESCAPE.matcher(percent);
    forms.add(hex.replaceAll(m -> m.group().toLowerCase(java.util.Locale.ROOT)));
    forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
      forms.add(encoder.encodeToString(bytes));
      for (int offset = 0; offset < 3; offset++) {
        byte[] shifted = new byte[offset + bytes.length];
        System.arraycopy(bytes, 0, shifted, offset, bytes.length);
        String encoded = encoder.withoutPadding().encodeToString(shifted);
        // Only the characters made of the secret's bits alone (none of the filler's, none of
        // whatever follows): those are in every base64 text that contains the secret so aligned.
        int from = (8 * offset + 5) / 6;
        int to = 8 * (offset + bytes.length) / 6;
        if (to > from) {
          forms.add(encoded.substring(from, to));
        }
      }
    }
    return forms;
  }

  private static List<String> jsonEscaped(String form) {
    String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(form));
    return List.of(escaped, escaped.replace("/", "\\/"));
  }

  /** The texts looked for, longest first (for tests). */
  List<String> needles() {
    return needles;
  }

  /** Whether there is anything to look for. */
  public boolean isEmpty() {
    return needles.isEmpty();
  }

  /** The text with every copy replaced. */
  public String text(String text) {
    String result = text;
    for (String needle : needles) {
      result = result.replace(needle, MARKER);
    }
    return result;
  }

  /**
   * A text that was cut at the size limit: also removes a copy cut off at its end, which would
   * otherwise show the credential's first characters.
   */
  public String truncatedText(String text) {
    String result = text(text);
    for (String needle : needles) {
      for (int length = needle.length() - 1; length >= MIN_CUT; length--) {
        if (result.endsWith(needle.substring(0, length))) {
          return result.substring(0, result.length() - length) + MARKER;
        }
      }
    }
    return result;
  }

  /** Bytes that are not text (an image, a PDF): each copy's UTF-8 bytes are replaced. */
  public byte[] bytes(byte[] body) {
    if (needles.isEmpty()) {
      return body;
    }
    // ISO-8859-1 maps each byte to one char and back, so this searches the raw bytes.
    String latin = new String(body, StandardCharsets.ISO_8859_1);
    String result = latin;
    for (String needle : needles) {
      result = result.replace(new String(needle.getBytes(StandardCharsets.UTF_8),
          StandardCharsets.ISO_8859_1), MARKER);
    }
    return result == latin ? body : result.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A parsed JSON value with every copy replaced in its strings and member names. */
  public JsonNode tree(JsonNode node) {
    if (needles.isEmpty()) {
      return node;
    }
    if (node.isTextual()) {
      String redacted = text(node.asText());
      return redacted.equals(node.asText()) ? node : TextNode.valueOf(redacted);
    }
    if (node.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode array =
          (com.fasterxml.jackson.databind.node.ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        array.set(i, tree(array.get(i)));
      }
    } else if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      boolean renamed = false;
      Map<String, JsonNode> members = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        String name = text(field.getKey());
        renamed |= !name.equals(field.getKey());
        members.put(name, tree(field.getValue()));
      }
      if (renamed) {
        object.removeAll();
      }
      object.setAll(members); // in place: same names keep their order
    }
    return node;
  }

  /**
   * The most recently used redactions, bounded in number and age. One lock: a hit is a hash
   * look-up and a relink in access order, far shorter than the call it belongs to; a miss builds
   * outside the lock, so two calls with a new credential may both build it (same result).
   */
  static final class Cache {
    private final int entries;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<Key, Entry> map;
    private long lastSweep;

    /** How often expired entries are dropped (a pass over at most {@code entries}). */
    private static final long SWEEP_NANOS = Duration.ofSeconds(1).toNanos();

    private record Entry(CredentialRedaction redaction, long built) {}

    Cache(int entries, Duration maxAge, LongSupplier nanoTime) {
      this.entries = entries;
      this.lastSweep = nanoTime.getAsLong();
      this.maxAgeNanos = maxAge.toNanos();
      this.nanoTime = nanoTime;
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
          return size() > Cache.this.entries;
        }
      };
    }

    CredentialRedaction get(Key key) {
      long now = nanoTime.getAsLong();
      synchronized (map) {
        if (now - lastSweep >= SWEEP_NANOS) {
          lastSweep = now;
          map.values().removeIf(old -> now - old.built() >= maxAgeNanos);
        }
        Entry entry = map.get(key);
        if (entry != null && now - entry.built() < maxAgeNanos) {
          return entry.redaction();
        }
      }
      CredentialRedaction built = build(key);
      synchronized (map) {
        map.put(key, new Entry(built, now));
      }
      return built;
    }

    int size() {
      synchronized (map) {
        return map.size();
      }
    }
  }
}
