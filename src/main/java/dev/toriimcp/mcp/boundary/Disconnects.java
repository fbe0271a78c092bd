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

  /** What to undo once the answer is written. */
  interface Watch {
    void close();
  }

  /**
   * Runs {@code gone} at most once if the client disconnects before {@link Watch#close} is
   * called; {@code async} is the request's started asynchronous context.
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
    Runnable undo = grizzly(request, once);
    return () -> {
      done.set(true);
      undo.run();
    };
  }

  /** Adds a close listener to the Grizzly connection under {@code request}; returns its removal. */
  private static Runnable grizzly(HttpServletRequest request, Runnable gone) {
    try {
      Field facade = field(request.getClass(), "request");
      if (facade == null) {
        return () -> { };
      }
      facade.setAccessible(true);
      Object catalina = facade.get(request);
      Object coyote = catalina.getClass().getMethod("getCoyoteRequest").invoke(catalina);
      Object connection = coyote.getClass().getMethod("getConnection").invoke(coyote);
      ClassLoader loader = connection.getClass().getClassLoader();
      Class<?> type = Class.forName("org.glassfish.grizzly.CloseListener", false, loader);
      Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {type}, (proxy, method, args) -> {
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
      Class<?> connectionType = Class.forName("org.glassfish.grizzly.Connection", false, loader);
      Method add = connectionType.getMethod("addCloseListener", type);
      Method remove = connectionType.getMethod("removeCloseListener", type);
      add.invoke(connection, listener);
      return () -> {
        try {
          remove.invoke(connection, listener);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // The connection is gone already; so is its list of listeners.
        }
      };
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      if (WARNED.compareAndSet(false, true)) {
        LOG.log(Level.INFO, "this container's connections cannot be watched for a client that"
            + " goes away; only the Servlet API's notice will cancel its requests ("
            + e.getClass().getSimpleName() + ")");
      }
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
