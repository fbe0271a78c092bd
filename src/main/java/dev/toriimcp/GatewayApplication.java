package dev.toriimcp;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The JAX-RS application. It is mapped at the host root because OAuth discovery documents
 * ({@code /.well-known/...}) must live there (RFC 8414 §3, RFC 9728 §3); the WAR is deployed at
 * context root {@code /}.
 */
@ApplicationPath("/")
public class GatewayApplication extends Application {}
