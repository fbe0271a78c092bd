package dev.toriimcp.oauth.boundary;

import dev.toriimcp.configuration.entity.BackendDefinition;
import dev.toriimcp.configuration.entity.GatewayConfiguration;
import dev.toriimcp.oauth.control.Clients;
import dev.toriimcp.oauth.control.CodeThrottle;
import dev.toriimcp.oauth.control.OAuthUris;
import dev.toriimcp.oauth.control.Pkce;
import dev.toriimcp.oauth.control.Resources;
import dev.toriimcp.oauth.control.Tokens;
import dev.toriimcp.oauth.entity.OAuthError;
import dev.toriimcp.oauth.entity.OAuthException;
import dev.toriimcp.oauth.entity.RegisteredClient;
import dev.toriimcp.oauth.entity.TokenResponse;
import dev.toriimcp.platform.control.ClientAddress;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The token endpoint (OAuth 2.1 §3.2): authorization_code with S256 PKCE and refresh_token with
 * rotation. Form-encoded only; every parameter at most once; {@code Cache-Control: no-store}.
 * Clients authenticate with {@code none}, a secret, or a {@code private_key_jwt} assertion
 * (RFC 7523; ADR 0023).
 */
@Path("token")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class TokenResource {

  @Inject GatewayConfiguration configuration;
  @Inject Clients clients;
  @Inject Tokens tokens;
  @Inject CodeThrottle codeThrottle;
  @Inject ClientAddress clientAddress;
  @Context HttpServletRequest request;

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response token(MultivaluedMap<String, String> form,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    RegisteredClient client = clients.authenticate(ClientCredentials.presented(form, authorization),
        OAuthUris.endpoint(configuration, "/token"));
    String backend = backendOf(param(form, "resource"));
    String grantType = param(form, "grant_type");
    if (grantType == null) {
      throw new OAuthException(OAuthError.invalidRequest("grant_type is required"));
    }
    TokenResponse issued = switch (grantType) {
      case "authorization_code" -> {
        String code = required(form, "code");
        String verifier = required(form, "code_verifier");
        yield redeem(client, code, param(form, "redirect_uri"), verifier, backend);
      }
      case "refresh_token" -> {
        if (!client.refreshAllowed()) {
          throw new OAuthException(new OAuthError("unauthorized_client",
              "the client did not register the refresh_token grant", 400));
        }
        yield tokens.refresh(client, required(form, "refresh_token"), param(form, "scope"), backend);
      }
      default -> throw new OAuthException(OAuthError.unsupportedGrantType());
    };
    JsonObjectBuilder body = Json.createObjectBuilder()
        .add("access_token", issued.accessToken())
        .add("token_type", "Bearer")
        .add("expires_in", issued.expiresIn())
        .add("scope", issued.scope());
    if (issued.refreshToken() != null) {
      body.add("refresh_token", issued.refreshToken());
    }
    return Response.ok(body.build()).header("Cache-Control", "no-store")
        .header("Pragma", "no-cache").build();
  }

  /** The code grant, throttled per client and address against guessing (research TK-19). */
  private TokenResponse redeem(RegisteredClient client, String code, String redirectUri,
      String verifier, String backend) {
    String address = clientAddress.key(request);
    if (codeThrottle.blocked(client.clientId(), address, Instant.now())) {
      throw new OAuthException(new OAuthError("slow_down",
          "too many failed code redemptions; try again later", 429));
    }
    try {
      if (!Pkce.validVerifier(verifier)) {
        throw new OAuthException(OAuthError.invalidGrant("the code verifier is malformed"));
      }
      return tokens.redeem(client, code, redirectUri, verifier, backend);
    } catch (OAuthException e) {
      if ("invalid_grant".equals(e.error().code())) {
        codeThrottle.failed(client.clientId(), address, Instant.now());
      }
      throw e;
    }
  }

  /** Anything but a form: {@code invalid_request}, not a bare 415 (research TK-2). */
  @POST
  public Response notAForm() {
    throw new OAuthException(OAuthError.invalidRequest(
        "the request must be application/x-www-form-urlencoded"));
  }

  private String backendOf(String resource) {
    if (resource == null) {
      return null;
    }
    return Resources.backend(configuration, resource).map(BackendDefinition::name).orElseThrow(
        () -> new OAuthException(OAuthError.invalidTarget("resource names no backend")));
  }

  static String param(MultivaluedMap<String, String> form, String name) {
    List<String> values = form.get(name);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new OAuthException(OAuthError.invalidRequest(name + " is repeated"));
    }
    return values.get(0);
  }

  private static String required(MultivaluedMap<String, String> form, String name) {
    String value = param(form, name);
    if (value == null || value.isEmpty()) {
      throw new OAuthException(OAuthError.invalidRequest(name + " is required"));
    }
    return value;
  }

  /** Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-urlencoded id and secret). */
  static final class ClientCredentials {

    record Basic(String id, String secret) {}

    private ClientCredentials() {}

    /** Everything the request presents to authenticate its client. */
    static Clients.Presented presented(MultivaluedMap<String, String> form, String authorization) {
      Basic basic = basic(authorization);
      return new Clients.Presented(param(form, "client_id"), param(form, "client_secret"),
          basic.id(), basic.secret(), param(form, "client_assertion_type"),
          param(form, "client_assertion"));
    }

    static Basic basic(String authorization) {
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        return new Basic(null, null);
      }
      try {
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
            StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new OAuthException(OAuthError.invalidClient("client authentication failed"));
        }
        return new Basic(URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
            URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new OAuthException(OAuthError.invalidClient("client authentication failed"));
      }
    }
  }
}
