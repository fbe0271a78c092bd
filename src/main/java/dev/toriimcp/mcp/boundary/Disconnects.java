package dev.toriimcp.mcp.boundary;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells when the client of an asynchronous request went away before its answer, so that the
 * work for it can stop (MCP 2026-07-28 basic/patterns/cancellation: closing the response stream
 * is the cancellation). The Servlet API reports a disconnect only through
 * {@link AsyncListener#onError}, which some containers never call for a suspended request:
 * Payara's connector drops Grizzly's notice that the connection closed. So on Grizzly (Payara
 * Micro and Server) the connection's own close listener is used too, found once by reflection
 * along public methods from the request facade; elsewhere the portable listener alone. Over
 * HTTP/2 a stream can end without its connection; then only the portable listener can tell.
 */
final class Disconnects {

  private static final Logger LOG = Logger.getLogger(Disconnects.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private Disconnects() {}

  /** A request being watched. */
  interface Watch {
    /**
     * Also watches the connection itself, where the container allows it; called once a request
     * has run long enough to be worth it (reflection and a listener per call would cost the
     * short calls that are most of them).
     */
    void closely();

    /** Stops watching; call once the answer is written. */
    void close();
  }

  /**
   * Runs {@code gone} at most once if the client disconnects before {@link Watch#close} is
   * called; {@code async} is the request's started asynchronous context. Call on the request's
   * own thread (the Servlet API takes listeners only there).
   */
  static Watch watch(HttpServletRequest request, AsyncContext async, Runnable gone) {
    AtomicBoolean done = new AtomicBoolean();
    Runnable once = () -> {
      if (done.compareAndSet(false, true)) {
        gone.run();
      }
    };
    async.addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {}

      @Override
      public void onTimeout(AsyncEvent event) {
        once.run();
      }

      @Override
      public void onError(AsyncEvent event) {
        once.run();
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
    return new Watch() {
      private Runnable undo;

      @Override
      public synchronized void closely() {
        if (undo == null && !done.get()) {
          undo = grizzly(request, once);
        }
      }

      @Override
      public synchronized void close() {
        done.set(true);
        if (undo != null) {
          undo.run();
        }
      }
    };
  }

  /** The reflective handles to a Grizzly connection, found once per request facade class. */
  private record Handles(Field facade, Method coyote, Method connection, Class<?> listenerType,
      Method add, Method remove) {}

  private static final java.util.concurrent.ConcurrentHashMap<Class<?>, java.util.Optional<Handles>>
      HANDLES = new java.util.concurrent.ConcurrentHashMap<>();

  private static java.util.Optional<Handles> handles(HttpServletRequest request) {
    return HANDLES.computeIfAbsent(request.getClass(), type -> {
      try {
        Field facade = field(type, "request");
        if (facade == null) {
          return java.util.Optional.empty();
        }
        facade.setAccessible(true);
        Object catalina = facade.get(request);
        Method coyote = catalina.getClass().getMethod("getCoyoteRequest");
        Object grizzlyRequest = coyote.invoke(catalina);
        Method connection = grizzlyRequest.getClass().getMethod("getConnection");
        ClassLoader loader = connection.invoke(grizzlyRequest).getClass().getClassLoader();
        Class<?> listenerType = Class.forName("org.glassfish.grizzly.CloseListener", false, loader);
        Class<?> connectionType = Class.forName("org.glassfish.grizzly.Connection", false, loader);
        return java.util.Optional.of(new Handles(facade, coyote, connection, listenerType,
            connectionType.getMethod("addCloseListener", listenerType),
            connectionType.getMethod("removeCloseListener", listenerType)));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        if (WARNED.compareAndSet(false, true)) {
          LOG.log(Level.INFO, "this container's connections cannot be watched for a client that"
              + " goes away; only failed writes and the Servlet API's notice will cancel its"
              + " requests (" + e.getClass().getSimpleName() + ")");
        }
        return java.util.Optional.empty();
      }
    });
  }

  /** Adds a close listener to the Grizzly connection under {@code request}; returns its removal. */
  private static Runnable grizzly(HttpServletRequest request, Runnable gone) {
    java.util.Optional<Handles> found = handles(request);
    if (found.isEmpty()) {
      return () -> { };
    }
    Handles h = found.get();
    try {
      Object catalina = h.facade().get(request);
      Object connection = h.connection().invoke(h.coyote().invoke(catalina));
      Object listener = Proxy.newProxyInstance(h.listenerType().getClassLoader(),
          new Class<?>[] {h.listenerType()}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "onClosed" -> gone.run();
              case "hashCode" -> {
                return System.identityHashCode(proxy);
              }
              case "equals" -> {
                return proxy == args[0];
              }
              case "toString" -> {
                return "torii-mcp disconnect listener";
              }
              default -> { }
            }
            return null;
          });
      h.add().invoke(connection, listener);
      return () -> {
        try {
          h.remove().invoke(connection, listener);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // The connection is gone already; so is its list of listeners.
        }
      };
    } catch (ReflectiveOperationException | RuntimeException e) {
      return () -> { };
    }
  }

  private static Field field(Class<?> type, String name) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        return c.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        // look further up
      }
    }
    return null;
  }
}
