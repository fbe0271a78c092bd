package dev.toriimcp.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Debian package on a fresh Debian (issue 15): {@code dpkg -i} into a root made by
 * debootstrap (the host's release, with the JRE and systemd), the files, owners and modes it
 * promises, {@code systemd-analyze verify} and the exposure score of its unit, the service
 * answering {@code /health}, an upgrade that keeps the sealing key and the data, and a purge that
 * leaves no key behind.
 *
 * <p>systemd is not PID 1 on the CI machine, so the service is started the way its unit says, by
 * hand: the unit's {@code ExecStart} with its {@code Environment=}, {@code WorkingDirectory=},
 * {@code UMask=}, {@code User=}/{@code Group=} (setpriv, with no new privileges and no
 * capabilities), in a mount namespace that reproduces {@code ProtectSystem=strict} with {@code
 * ReadWritePaths=}, {@code PrivateTmp=}, {@code ProtectHome=}, {@code ProtectProc=invisible} with
 * {@code ProcSubset=pid}, and the credentials directory that {@code LoadCredential=} makes. The
 * seccomp filter, address-family and namespace restrictions are not reproduced; the unit is
 * checked for them by {@code systemd-analyze}.
 *
 * <p>The debootstrap root is kept in {@code target/debian-base} (minutes to make, so once per
 * {@code mvn clean}); each test installs into a copy of it.
 */
class DebianPackageIT {

  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path BASE = TARGET.resolve("debian-base");
  private static final Path COMPLETE = TARGET.resolve("debian-base.complete");
  private static final String UNIT = "/usr/lib/systemd/system/torii-mcp.service";
  private static final String KEY = "/etc/torii-mcp/credentials/sealing-key";
  private static final String CONFIG = "/etc/torii-mcp/mcp-proxy.yaml";
  private static final String DATA = "/var/lib/torii-mcp";
  private static final String CREDENTIALS = "/run/credentials/torii-mcp.service";
  private static final Duration STARTUP = Duration.ofSeconds(300);
  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for torii-mcp\\.service: (\\d+\\.\\d) (\\S+)");

  private static Path deb;

  @BeforeAll
  static void freshDebian() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "dpkg -i into a chroot, mounts and setpriv need root (CI runs as root)");
    try (Stream<Path> debs = Files.list(TARGET)) {
      List<Path> found = debs.filter(p -> p.getFileName().toString().matches(
          "torii-mcp_.+_all\\.deb")).toList();
      assertThat(found).as("target/torii-mcp_<version>_all.deb, built by mvn package without"
          + " -Dtorii.skipDistribution").hasSize(1);
      deb = found.get(0);
    }
    if (!Files.exists(COMPLETE)) {
      run(Duration.ofMinutes(20), "rm", "-rf", BASE.toString());
      Instant start = Instant.now();
      List<String> debootstrap = new ArrayList<>(List.of("debootstrap", "--variant=minbase",
          "--include=openjdk-17-jre-headless,systemd", release(), BASE.toString()));
      hostMirror().ifPresent(debootstrap::add);
      run(Duration.ofMinutes(20), debootstrap.toArray(String[]::new));
      Files.writeString(COMPLETE, "");
      System.out.println("DebianPackageIT: debootstrap took "
          + Duration.between(start, Instant.now()).toSeconds() + " s");
    }
  }

  @Test
  void installsAHardenedServiceThatAnswersHealthAndKeepsKeyAndDataOnUpgrade() throws Exception {
    Path root = freshRoot("install");
    try {
      install(root, deb);

      assertThat(stat(root, "/usr/share/torii-mcp/torii-mcp.jar")).isEqualTo("root:root 644");
      assertThat(stat(root, UNIT)).isEqualTo("root:root 644");
      assertThat(stat(root, CONFIG)).isEqualTo("root:torii-mcp 640");
      assertThat(chroot(root, "dpkg-query", "-W", "-f=${Conffiles}", "torii-mcp"))
          .contains(CONFIG);
      assertThat(stat(root, DATA)).isEqualTo("torii-mcp:torii-mcp 750");
      assertThat(stat(root, "/etc/torii-mcp/credentials")).isEqualTo("root:root 700");
      assertThat(stat(root, KEY)).isEqualTo("root:root 600");
      byte[] key = Files.readAllBytes(inside(root, KEY));
      assertThat(new String(key, StandardCharsets.US_ASCII)).endsWith("\n");
      assertThat(Base64.getDecoder().decode(new String(key, StandardCharsets.US_ASCII).trim()))
          .hasSize(32);
      String user = chroot(root, "getent", "passwd", "torii-mcp").trim();
      assertThat(user.split(":")).satisfies(fields -> {
        assertThat(Integer.parseInt(fields[2])).as("a system uid").isLessThan(1000);
        assertThat(fields[5]).isEqualTo(DATA);
        assertThat(fields[6]).isEqualTo("/usr/sbin/nologin");
      });

      // The unit as systemd reads it, with the installed system's units and binaries.
      chroot(root, "systemd-analyze", "verify", "torii-mcp.service");
      String security =
          chroot(root, "systemd-analyze", "security", "--offline=true", "torii-mcp.service");
      Matcher exposure = EXPOSURE.matcher(security);
      assertThat(exposure.find()).as(security).isTrue();
      System.out.println("DebianPackageIT: " + exposure.group());
      assertThat(Double.parseDouble(exposure.group(1))).isLessThanOrEqualTo(2.0);
      assertThat(exposure.group(2)).isEqualTo("OK");

      assertThat(startAndStop(root)).contains("\"status\":\"UP\"").contains("\"startups\":\"1\"")
          .contains("embedded Derby at " + DATA + "/derby");

      // A reinstall of the same version, then an upgrade to a newer one: same key, same data.
      install(root, deb);
      assertThat(Files.readAllBytes(inside(root, KEY))).isEqualTo(key);
      install(root, newerVersion(root));
      assertThat(Files.readAllBytes(inside(root, KEY))).isEqualTo(key);
      assertThat(stat(root, CONFIG)).isEqualTo("root:torii-mcp 640");
      assertThat(startAndStop(root)).contains("\"status\":\"UP\"").contains("\"startups\":\"2\"");
    } finally {
      run(Duration.ofMinutes(5), "rm", "-rf", root.toString());
    }
  }

  @Test
  void removeKeepsKeyAndDataAndPurgeLeavesNoSecretBehind() throws Exception {
    Path root = freshRoot("purge");
    try {
      install(root, deb);
      byte[] key = Files.readAllBytes(inside(root, KEY));
      Files.writeString(inside(root, DATA + "/marker"), "data");

      chroot(root, "dpkg", "--remove", "torii-mcp");
      assertThat(inside(root, "/usr/share/torii-mcp/torii-mcp.jar")).doesNotExist();
      assertThat(inside(root, UNIT)).doesNotExist();
      assertThat(Files.readAllBytes(inside(root, KEY))).isEqualTo(key);
      assertThat(inside(root, DATA + "/marker")).hasContent("data");
      assertThat(inside(root, CONFIG)).exists();
      assertThat(chroot(root, "getent", "passwd", "torii-mcp")).startsWith("torii-mcp:");

      chroot(root, "dpkg", "--purge", "torii-mcp");
      assertThat(inside(root, "/etc/torii-mcp")).doesNotExist();
      assertThat(inside(root, DATA)).doesNotExist();
      assertThat(chroot(root, "sh", "-c", "getent passwd torii-mcp; getent group torii-mcp;"
          + " dpkg-statoverride --list; find / -xdev -name 'sealing-key*'; true")).isEmpty();
    } finally {
      run(Duration.ofMinutes(5), "rm", "-rf", root.toString());
    }
  }

  /**
   * Starts the installed unit's {@code ExecStart} as its user, with its settings, on a free
   * port, waits for {@code /health} to be UP, stops it with SIGTERM and returns the health body.
   */
  private static String startAndStop(Path root) throws Exception {
    Map<String, List<String>> unit = unitSettings(Files.readString(inside(root, UNIT)));
    assertThat(unit.get("User")).containsExactly("torii-mcp");
    assertThat(unit.get("LoadCredential")).containsExactly("sealing-key:" + KEY);
    int port = freePort();
    Map<String, String> environment = new LinkedHashMap<>();
    // What systemd gives every service of a system user, then the unit's own Environment=.
    environment.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    environment.put("HOME", DATA);
    environment.put("USER", "torii-mcp");
    environment.put("LOGNAME", "torii-mcp");
    environment.put("SHELL", "/usr/sbin/nologin");
    environment.put("CREDENTIALS_DIRECTORY", CREDENTIALS);
    for (String assignment : unit.get("Environment")) {
      int equals = assignment.indexOf('=');
      environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
    }
    // As a drop-in would: another port, so that tests never collide on 8080.
    environment.put("TORII_PORT", Integer.toString(port));
    List<String> command = execStart(unit.get("ExecStart").get(0), environment);

    Files.createDirectories(inside(root, CREDENTIALS));
    String r = root.toString();
    String sandbox = String.join("\n",
        "set -e",
        // ProtectSystem=strict: everything read-only but ReadWritePaths=, /tmp and /dev.
        "mount --bind \"$R\" \"$R\"",
        "mount --bind \"$R" + DATA + "\" \"$R" + DATA + "\"",
        "mount -o remount,bind,ro \"$R\"",
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs \"$R/tmp\"",          // PrivateTmp=
        "mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs \"$R/var/tmp\"",
        "mount -t tmpfs -o mode=0000 tmpfs \"$R/home\"",                      // ProtectHome=
        "mount -t tmpfs -o mode=0000 tmpfs \"$R/root\"",
        "mount -t proc -o hidepid=invisible,subset=pid proc \"$R/proc\"",     // ProtectProc=, ProcSubset=
        // LoadCredential=: a private, read-only copy that only the service's user can read.
        "mount -t tmpfs -o mode=0700,nosuid,nodev,noexec tmpfs \"$R" + CREDENTIALS + "\"",
        "cp \"$R" + KEY + "\" \"$R" + CREDENTIALS + "/sealing-key\"",
        "chroot \"$R\" chown -R torii-mcp:torii-mcp " + CREDENTIALS,
        "chmod 0400 \"$R" + CREDENTIALS + "/sealing-key\"",
        "chmod 0500 \"$R" + CREDENTIALS + "\"",
        "mount -o remount,ro \"$R" + CREDENTIALS + "\"",
        "exec chroot \"$R\" setpriv --reuid=torii-mcp --regid=torii-mcp --init-groups"
            + " --no-new-privs --inh-caps=-all --bounding-set=-all -- env -i \"$@\"");
    List<String> process = new ArrayList<>(List.of(
        "unshare", "--mount", "--propagation", "private", "--", "sh", "-c", sandbox, "sandbox"));
    environment.forEach((name, value) -> process.add(name + "=" + value));
    process.addAll(List.of("sh", "-c",
        "cd " + unit.get("WorkingDirectory").get(0) + " && umask " + unit.get("UMask").get(0)
            + " && exec \"$@\"", "torii-mcp"));
    process.addAll(command);

    Path log = Files.createDirectories(TARGET.resolve("it-logs"))
        .resolve("debian-service-" + System.nanoTime() + ".log");
    ProcessBuilder builder = new ProcessBuilder(process).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().put("R", r);
    builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Process service = builder.start();
    try {
      String health = awaitHealth(service, port, log);
      assertThat(Files.readString(log)).contains("torii-mcp is ready")
          .doesNotContain(new String(Files.readAllBytes(inside(root, KEY)),
              StandardCharsets.US_ASCII).trim());
      // systemd stops with SIGTERM to the main process, the JVM (the end of the exec chain).
      service.descendants().forEach(ProcessHandle::destroy);
      service.toHandle().destroy();
      assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("stopped within TimeoutStopSec")
          .isTrue();
      assertThat(service.exitValue()).as("exit status, SuccessExitStatus=143").isIn(0, 143);
      return health;
    } finally {
      service.descendants().forEach(ProcessHandle::destroyForcibly);
      service.destroyForcibly();
      service.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String awaitHealth(Process service, int port, Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI health = URI.create("http://127.0.0.1:" + port + "/health");
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      if (!service.isAlive()) {
        fail("the service exited with " + service.exitValue() + ":\n" + tail(log));
      }
      try {
        HttpResponse<String> answer = http.send(
            HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && answer.body().contains("\"status\":\"UP\"")) {
          return answer.body();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(1000);
    }
    return fail("no UP from " + health + " within " + STARTUP + ":\n" + tail(log));
  }

  /** {@code [Service]} settings, each key with its values in order. */
  static Map<String, List<String>> unitSettings(String unit) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    boolean service = false;
    for (String line : unit.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("[")) {
        service = trimmed.equals("[Service]");
      } else if (service && !trimmed.isEmpty() && !trimmed.startsWith("#")) {
        int equals = trimmed.indexOf('=');
        String key = trimmed.substring(0, equals);
        String value = trimmed.substring(equals + 1);
        if (key.equals("Environment")) {
          assertThat(value).as("Environment= without quoting").doesNotContain("\"", "'");
          settings.computeIfAbsent(key, k -> new ArrayList<>()).addAll(List.of(value.split("\\s+")));
        } else {
          settings.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return settings;
  }

  /**
   * systemd's expansion of {@code ExecStart=} (systemd.service(5), "Command lines"): {@code
   * ${NAME}} is one word, a word {@code $NAME} is split at white space.
   */
  static List<String> execStart(String line, Map<String, String> environment) {
    assertThat(line).as("ExecStart= without quoting or prefixes").doesNotContain("\"", "'")
        .doesNotStartWith("-").doesNotStartWith("@").doesNotStartWith("+");
    List<String> words = new ArrayList<>();
    for (String word : line.trim().split("\\s+")) {
      if (word.matches("\\$[A-Za-z_][A-Za-z0-9_]*")) {
        String value = environment.getOrDefault(word.substring(1), "").trim();
        if (!value.isEmpty()) {
          words.addAll(List.of(value.split("\\s+")));
        }
      } else {
        Matcher braced = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(word);
        words.add(braced.replaceAll(m -> Matcher.quoteReplacement(
            environment.getOrDefault(m.group(1), ""))));
      }
    }
    return words;
  }

  /** The same package with a higher version, repacked: what an upgrade installs. */
  private static Path newerVersion(Path root) throws Exception {
    Path tree = TARGET.resolve("debian-upgrade");
    run(Duration.ofMinutes(2), "rm", "-rf", tree.toString());
    run(Duration.ofMinutes(2), "dpkg-deb", "--raw-extract", deb.toString(), tree.toString());
    Path control = tree.resolve("DEBIAN/control");
    Files.writeString(control, Files.readString(control)
        .replaceFirst("(?m)^Version: (.+)$", "Version: $1+upgrade1"));
    Path newer = root.resolve("tmp/torii-mcp-upgrade.deb");
    run(Duration.ofMinutes(5), "dpkg-deb", "-Znone", "--build", tree.toString(), newer.toString());
    run(Duration.ofMinutes(2), "rm", "-rf", tree.toString());
    return newer;
  }

  private static void install(Path root, Path packageFile) throws Exception {
    Path copy = packageFile.startsWith(root) ? packageFile : root.resolve("tmp/torii-mcp.deb");
    if (!packageFile.startsWith(root)) {
      Files.copy(packageFile, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    chroot(root, "dpkg", "-i", "/" + root.relativize(copy));
    Files.delete(copy);
  }

  private static Path freshRoot(String name) throws Exception {
    Path root = TARGET.resolve("debian-root-" + name);
    run(Duration.ofMinutes(5), "rm", "-rf", root.toString());
    run(Duration.ofMinutes(5), "cp", "-a", BASE.toString(), root.toString());
    // debootstrap writes no /etc/hosts; the installer writes this one, naming the host, whose
    // name Payara Micro resolves at start (ProtectHostname= leaves the service the host's).
    String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    Files.writeString(inside(root, "/etc/hosts"), "127.0.0.1\tlocalhost\n127.0.1.1\t" + hostname
        + "\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    return root;
  }

  private static Path inside(Path root, String absolute) {
    return root.resolve(absolute.substring(1));
  }

  private static String stat(Path root, String path) throws Exception {
    return chroot(root, "stat", "-c", "%U:%G %a", path).trim();
  }

  private static String chroot(Path root, String... command) throws Exception {
    List<String> all = new ArrayList<>(List.of("chroot", root.toString()));
    all.addAll(List.of(command));
    return run(Duration.ofMinutes(5), all.toArray(String[]::new));
  }

  /** Runs a command with a clean environment; its output, or a failure that shows it. */
  private static String run(Duration timeout, String... command) throws Exception {
    Path output = Files.createTempFile(TARGET, "debian-command", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile());
      builder.environment().clear();
      builder.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      builder.environment().put("LC_ALL", "C");
      Process process = builder.start();
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail(String.join(" ", command) + " did not end within " + timeout);
      }
      String text = Files.readString(output);
      if (process.exitValue() != 0) {
        fail(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The release of the host (its /etc/os-release), which the root is made of. */
  private static String release() throws IOException {
    Matcher codename = Pattern.compile("(?m)^VERSION_CODENAME=\"?([a-z]+)\"?$")
        .matcher(Files.readString(Path.of("/etc/os-release")));
    assumeTrue(codename.find() && Files.isRegularFile(Path.of("/usr/share/keyrings/"
        + "debian-archive-keyring.gpg")), "a Debian host (debootstrap of its release)");
    return codename.group(1);
  }

  /** The host's own Debian mirror (apt's sources), else debootstrap's default. */
  private static java.util.Optional<String> hostMirror() throws IOException {
    List<Path> sources = new ArrayList<>(List.of(Path.of("/etc/apt/sources.list")));
    Path directory = Path.of("/etc/apt/sources.list.d");
    if (Files.isDirectory(directory)) {
      try (Stream<Path> files = Files.list(directory)) {
        files.sorted().forEach(sources::add);
      }
    }
    Pattern uri = Pattern.compile("(?m)^(?:URIs:|deb(?:\\s+\\[[^]]*])?)\\s+(\\S+/debian)/?(?:\\s|$)");
    for (Path file : sources) {
      if (Files.isRegularFile(file)) {
        Matcher found = uri.matcher(Files.readString(file));
        if (found.find()) {
          return java.util.Optional.of(found.group(1));
        }
      }
    }
    return java.util.Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
