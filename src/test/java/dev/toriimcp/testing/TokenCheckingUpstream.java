package dev.toriimcp.testing;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP upstream on loopback that behaves like an API guarded by its identity provider: it
 * answers 200 only to a bearer JWT that has not expired and has not been refused with
 * {@link #refuse}; anything else is 401. It records every bearer token it was shown, in order.
 */
public final class TokenCheckingUpstream implements AutoCloseable {

  private final HttpServer server;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private volatile boolean refuseAll;
  private final java.util.concurrent.ExecutorService threads =
      java.util.concurrent.Executors.newFixedThreadPool(16);

  public TokenCheckingUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      String header = exchange.getRequestHeaders().getFirst("Authorization");
      String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
      if (token != null) {
        seen.add(token);
      }
      int status = token != null && valid(token) ? 200 : 401;
      byte[] answer = (status == 200 ? "{\"id\": 7, \"name\": \"rex\"}" : "{}").getBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.setExecutor(threads);
    server.start();
  }

  private boolean valid(String token) {
    if (refuseAll || refused.contains(token)) {
      return false;
    }
    try {
      Date expiry = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
      return expiry == null || expiry.after(new Date());
    } catch (java.text.ParseException e) {
      return false;
    }
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every bearer token received, in order. */
  public List<String> seen() {
    return List.copyOf(seen);
  }

  /** From now on, {@code token} is answered 401 (as if revoked at the provider). */
  public void refuse(String token) {
    refused.add(token);
  }

  /** From now on, every token is answered 401. */
  public void refuseAll() {
    refuseAll = true;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
