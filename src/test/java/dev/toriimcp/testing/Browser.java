package dev.toriimcp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium from the machine's packages (Debian: chromium, chromium-driver),
 * driven through WebDriver. Nothing is downloaded: the binary and the driver are given
 * explicitly, and Chromium's own background networking is switched off (this machine's network
 * is closed).
 */
public final class Browser {

  private Browser() {}

  public static ChromeDriver start() throws IOException {
    Path profile = Files.createTempDirectory("torii-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getProperty("torii.chromium", "/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=900,900", "--user-data-dir=" + profile);
    // The console, for tests that check a page logs no error (or a CSP violation).
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of(System.getProperty("torii.chromedriver",
            "/usr/bin/chromedriver")).toFile())
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }
}
