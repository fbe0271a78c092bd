package dev.toriimcp.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Several gateway nodes as one gateway (ADR 0034): a throw-away {@link PostgresServer}, one or
 * two {@link GatewayProcess} nodes on the same configuration file and the same PostgreSQL pool
 * (defined by asadmin commands, as in {@code PostgresDataSourceIT}), and with two nodes a real
 * nginx in front of them, run from {@code examples/cluster/nginx.conf}, the file the README
 * documents; {@code public_url} is then nginx's URL. Nginx comes from the machine's packages
 * (Debian: {@code apt-get install nginx}; {@code .ci/prerequisites} does).
 */
public final class GatewayCluster implements AutoCloseable {

  private static final Path EXAMPLE = Path.of("examples", "cluster", "nginx.conf");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final PostgresServer postgres;
  private final List<GatewayProcess> nodes;
  private final Process nginx;
  private final Path nginxDirectory;
  private final URI publicUrl;

  private GatewayCluster(PostgresServer postgres, List<GatewayProcess> nodes, Process nginx,
      Path nginxDirectory, URI publicUrl) {
    this.postgres = postgres;
    this.nodes = nodes;
    this.nginx = nginx;
    this.nginxDirectory = nginxDirectory;
    this.publicUrl = publicUrl;
  }

  /**
   * Starts the cluster. {@code config} is the gateway configuration without {@code public_url}
   * and {@code storage}, which the cluster writes: the pool {@code jdbc/torii}, and {@code
   * shared: true} if asked. With two nodes, nginx (a trusted proxy) is in front.
   */
  public static GatewayCluster start(String name, String config, int nodeCount, boolean shared)
      throws Exception {
    if (nodeCount != 1 && nodeCount != 2) {
      throw new IllegalArgumentException("examples/cluster/nginx.conf lists two nodes");
    }
    PostgresServer postgres = PostgresServer.start();
    List<GatewayProcess> nodes = new ArrayList<>();
    Process nginx = null;
    Path nginxDirectory = null;
    try {
      int balancerPort = freePort();
      URI balancer = URI.create("http://localhost:" + balancerPort);
      Path directory = Files.createDirectories(Path.of("target/it-config"));
      Path commands = Files.writeString(directory.resolve(name + "-pool.asadmin"), String.join("\n",
          "create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource"
              + " --restype javax.sql.DataSource --property serverName=127.0.0.1:portNumber="
              + postgres.port() + ":databaseName=postgres:user=" + postgres.user()
              + ":password=unused-trust-auth torii-pool",
          "create-jdbc-resource --connectionpoolid torii-pool jdbc/torii", ""));
      Path file = Files.writeString(directory.resolve(name + ".yaml"),
          "public_url: ${TORII_PUBLIC_URL}\n" + config.stripTrailing() + "\n"
              + (nodeCount == 2 ? "trusted_proxies: [127.0.0.1]\n" : "")
              + "storage: {datasource: jdbc/torii" + (shared ? ", shared: true" : "") + "}\n");
      Path driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
      List<String> options = List.of("--addlibs", driver.toString(),
          "--postbootcommandfile", commands.toString());
      Map<String, String> environment = nodeCount == 2
          ? Map.of("TORII_PUBLIC_URL", balancer.toString()) : Map.of();
      // One after the other: nodes that start together on an empty database race in Liquibase's
      // creation of databasechangelog, before its lock is taken, and one fails ("relation
      // databasechangelog already exists"; liquibase/liquibase#5254).
      for (int i = 0; i < nodeCount; i++) {
        GatewayProcess node = GatewayProcess.start(name + "-" + (char) ('a' + i), file,
            environment, options);
        nodes.add(node);
        node.awaitReady(Duration.ofSeconds(240));
      }
      if (nodeCount == 2) {
        nginxDirectory = Files.createTempDirectory(Path.of("/tmp"), "torii-nginx-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        nginx = startNginx(name, nginxDirectory, balancerPort, nodes.get(0).port(),
            nodes.get(1).port());
        awaitBalancer(nginx, balancer, nginxDirectory);
      }
      return new GatewayCluster(postgres, nodes, nginx, nginxDirectory,
          nodeCount == 2 ? balancer : nodes.get(0).uri(""));
    } catch (Exception | AssertionError e) {
      new GatewayCluster(postgres, nodes, nginx, nginxDirectory, null).close();
      throw e;
    }
  }

  /** Node {@code i} (0 is A, 1 is B), reached directly. */
  public GatewayProcess node(int i) {
    return nodes.get(i);
  }

  /** The gateway's public URL: nginx's with two nodes, else the node's own. */
  public URI publicUrl() {
    return publicUrl;
  }

  public PostgresServer postgres() {
    return postgres;
  }

  /** Nginx's error log so far, for a failure message. */
  public String balancerLog() throws IOException {
    Path log = nginxDirectory == null ? null : nginxDirectory.resolve("error.log");
    return log != null && Files.exists(log) ? Files.readString(log) : "";
  }

  /**
   * The example file with this run's ports, included from a minimal main configuration that
   * keeps nginx's pid, logs and temporary files in {@code directory}, as Debian's stock
   * {@code nginx.conf} would around {@code conf.d/}. Run as root, nginx's workers run as
   * {@code www-data} (nginx's built-in {@code nobody:nobody} has no group on Debian); the
   * directory is world-readable so that they can use it.
   */
  private static Process startNginx(String name, Path directory, int listen, int nodeA, int nodeB)
      throws IOException {
    String site = Files.readString(EXAMPLE);
    site = replaceEvery(site, "listen 127.0.0.1:8080;", "listen 127.0.0.1:" + listen + ";", 1);
    site = replaceEvery(site, "server 127.0.0.1:8081 ", "server 127.0.0.1:" + nodeA + " ", 2);
    site = replaceEvery(site, "server 127.0.0.1:8082 ", "server 127.0.0.1:" + nodeB + " ", 2);
    Files.writeString(directory.resolve("torii-mcp.conf"), site);
    String temp = directory.resolve("temp").toString();
    Files.writeString(directory.resolve("nginx.conf"), String.join("\n",
        isRoot() ? "user www-data;" : "",
        "worker_processes auto;",
        "pid " + directory.resolve("nginx.pid") + ";",
        "events { worker_connections 1024; }",
        "http {",
        "  access_log " + directory.resolve("access.log") + ";",
        "  client_body_temp_path " + temp + "-body;",
        "  proxy_temp_path " + temp + "-proxy;",
        "  fastcgi_temp_path " + temp + "-fastcgi;",
        "  uwsgi_temp_path " + temp + "-uwsgi;",
        "  scgi_temp_path " + temp + "-scgi;",
        "  include " + directory.resolve("torii-mcp.conf") + ";",
        "}", ""));
    Path log = Path.of("target/it-logs").resolve(name + "-nginx.log");
    Files.createDirectories(log.getParent());
    return new ProcessBuilder(nginxBinary(), "-p", directory.toString(),
        "-c", directory.resolve("nginx.conf").toString(),
        "-e", directory.resolve("error.log").toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static String replaceEvery(String text, String target, String replacement, int count) {
    int found = text.split(java.util.regex.Pattern.quote(target), -1).length - 1;
    if (found != count) {
      throw new IllegalStateException(EXAMPLE + ": expected " + count + " of '" + target
          + "', found " + found);
    }
    return text.replace(target, replacement);
  }

  private static void awaitBalancer(Process nginx, URI balancer, Path directory)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!nginx.isAlive()) {
        throw new AssertionError("nginx exited with " + nginx.exitValue() + ": "
            + readIfThere(directory.resolve("error.log")));
      }
      try {
        HttpResponse<Void> health = HTTP.send(HttpRequest.newBuilder(
            URI.create(balancer + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep polling
      }
      Thread.sleep(100);
    }
    throw new AssertionError("nginx not ready: " + readIfThere(directory.resolve("error.log")));
  }

  private static String readIfThere(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "(no log)";
  }

  private static String nginxBinary() throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nginx"))) {
        return Path.of(dir, "nginx").toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
      return "/usr/sbin/nginx";
    }
    throw new IOException("nginx not found: install it (Debian: apt-get install nginx;"
        + " .ci/prerequisites does)");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (nginx != null) {
        nginx.destroy(); // SIGTERM: nginx's fast shutdown, which ends its workers too
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
          nginx.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      nodes.forEach(GatewayProcess::close);
      postgres.close();
      if (nginxDirectory != null) {
        try (Stream<Path> files = Files.walk(nginxDirectory)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
