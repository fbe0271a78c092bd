package dev.toriimcp.upstream.control;

import dev.toriimcp.configuration.entity.UpstreamAuth;
import dev.toriimcp.platform.control.Storage;
import dev.toriimcp.sealing.control.Sealing;
import dev.toriimcp.upstream.entity.UpstreamCredential;
import dev.toriimcp.upstream.entity.UpstreamRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A user's upstream credential for a backend: loaded sealed, opened only for the call, and
 * applied the way the backend's login-broker configuration says (a header with a prefix, or the
 * session cookie). The MCP client's own token is never part of an upstream request.
 */
@ApplicationScoped
public class UpstreamCredentials {

  @Inject Storage storage;
  @Inject Sealing sealing;

  /** The user's upstream credential in clear, if one is stored and not expired. */
  public Optional<String> open(String subject, String backend) {
    UpstreamCredential stored = storage.inTransaction(em ->
        em.find(UpstreamCredential.class, new UpstreamCredential.Key(subject, backend)));
    if (stored == null || (stored.expiresAt() != null && stored.expiresAt().isBefore(Instant.now()))) {
      return Optional.empty();
    }
    return Optional.of(new String(sealing.sealer().open(stored.sealed(), backend, subject),
        StandardCharsets.UTF_8));
  }

  /** A copy of the request with the credential attached. */
  public static UpstreamRequest apply(UpstreamRequest request, UpstreamAuth auth, String credential) {
    if (!(auth instanceof UpstreamAuth.LoginBroker broker)) {
      return request;
    }
    Map<String, List<String>> headers = new LinkedHashMap<>(request.headers());
    if (broker.cookie() != null) {
      List<String> cookies = new ArrayList<>();
      String existing = request.header("Cookie");
      if (existing != null) {
        cookies.add(existing);
      }
      cookies.add(broker.cookie() + "=" + credential);
      headers.keySet().removeIf(k -> k.equalsIgnoreCase("Cookie"));
      headers.put("Cookie", List.of(String.join("; ", cookies)));
    } else {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase(broker.applyHeader()));
      headers.put(broker.applyHeader(), List.of(broker.applyPrefix() + credential));
    }
    return new UpstreamRequest(request.method(), request.uri(), headers, request.body());
  }
}
