package dev.toriimcp.demo;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The demo API lives under {@code /demo/api}. */
@ApplicationPath("api")
public class DemoApplication extends Application {}
