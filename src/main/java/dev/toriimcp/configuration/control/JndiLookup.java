package dev.toriimcp.configuration.control;

import java.util.Optional;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * JNDI look-ups for configuration values. A name is tried as given and, when it is not already a
 * {@code java:} name, also in the component environment ({@code java:comp/env/NAME}), where a
 * {@code web.xml} {@code <env-entry>} or an administrator's resource reference puts it.
 */
public final class JndiLookup {

  private JndiLookup() {}

  public static Optional<String> string(String name) {
    Optional<Object> found = object(name);
    return found.map(Object::toString);
  }

  public static Optional<Object> object(String name) {
    Optional<Object> found = tryLookup(name);
    if (found.isEmpty() && !name.startsWith("java:")) {
      found = tryLookup("java:comp/env/" + name);
    }
    return found;
  }

  private static Optional<Object> tryLookup(String name) {
    try {
      return Optional.ofNullable(new InitialContext().lookup(name));
    } catch (NamingException | RuntimeException notBound) {
      return Optional.empty();
    }
  }
}
