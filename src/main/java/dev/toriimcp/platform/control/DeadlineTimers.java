package dev.toriimcp.platform.control;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one-thread timer that aborts an outbound exchange at its deadline (ADR 0012, ADR 0020):
 * a daemon thread that ends when idle, so nothing outlives a redeployment, and cancelled alarms
 * are dropped at once.
 */
public final class DeadlineTimers {

  private DeadlineTimers() {}

  public static ScheduledExecutorService create(String threadName) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      return thread;
    });
    timer.setKeepAliveTime(10, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
