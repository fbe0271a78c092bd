package dev.toriimcp.oauth.boundary;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * CORS exactly where the research says (trap 24): {@code Access-Control-Allow-Origin: *} without
 * credentials on the discovery documents and on {@code /token}, {@code /register} and
 * {@code /revoke}, with preflights answered 204. Never on {@code /authorize} (RFC 9700 §2.6:
 * CORS MUST NOT be supported at the authorization endpoint). The MCP endpoint gets its own
 * allowlist-based handling.
 */
@Provider
@ApplicationScoped
@PreMatching
public class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {

  static final String ALLOWED_HEADERS = "Content-Type, Authorization, MCP-Protocol-Version";
  static final String ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";

  static boolean open(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.startsWith(".well-known/") || p.equals("token") || p.equals("register")
        || p.equals("revoke");
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (HttpMethod.OPTIONS.equals(request.getMethod())
        && open(request.getUriInfo().getPath())) {
      Response.ResponseBuilder preflight = Response.noContent();
      headers(preflight);
      request.abortWith(preflight.build());
    }
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (open(request.getUriInfo().getPath())) {
      MultivaluedMap<String, Object> headers = response.getHeaders();
      headers.putSingle("Access-Control-Allow-Origin", "*");
      headers.putSingle("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      headers.putSingle("Access-Control-Allow-Methods", ALLOWED_METHODS);
      headers.putSingle("Access-Control-Max-Age", "600");
    }
  }

  private static void headers(Response.ResponseBuilder response) {
    response.header("Access-Control-Allow-Origin", "*")
        .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
        .header("Access-Control-Allow-Methods", ALLOWED_METHODS)
        .header("Access-Control-Max-Age", "600");
  }
}
