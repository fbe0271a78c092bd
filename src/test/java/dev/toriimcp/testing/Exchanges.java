package dev.toriimcp.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** Answers for the JDK HTTP servers that stand in as upstream APIs in tests and benchmarks. */
public final class Exchanges {

  private Exchanges() {}

  /** Sends {@code body} as {@code application/json} with {@code status}, and ends the exchange. */
  public static void json(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
