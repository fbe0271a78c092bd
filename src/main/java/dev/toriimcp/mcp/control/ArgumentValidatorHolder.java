package dev.toriimcp.mcp.control;

import jakarta.enterprise.context.ApplicationScoped;

/** The application's one {@link ArgumentValidator}, whose schema cache lives as long as it does. */
@ApplicationScoped
public class ArgumentValidatorHolder {

  private final ArgumentValidator validator = new ArgumentValidator();

  public ArgumentValidator get() {
    return validator;
  }
}
