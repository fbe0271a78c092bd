package dev.toriimcp.testing;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate made for one test run (keytool, EC P-256, valid two days) for HTTPS servers on
 * loopback, with an {@link SSLContext} that both serves and trusts it. A gateway process trusts
 * it through {@link #trustOptions()}.
 */
public record SelfSignedTls(Path keystore, SSLContext context) {

  public static final String PASSWORD = "changeit";

  /** A certificate for {@code localhost}, {@code 127.0.0.1} and the extra DNS names given. */
  public static SelfSignedTls create(String... extraNames) throws IOException, InterruptedException,
      GeneralSecurityException {
    Path keystore = Files.createTempDirectory("torii-tls").resolve("tls.p12");
    StringBuilder san = new StringBuilder("SAN=dns:localhost,ip:127.0.0.1");
    for (String name : extraNames) {
      san.append(",dns:").append(name);
    }
    Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin",
        "keytool").toString(), "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=localhost", "-ext", san.toString(), "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
        "-keypass", PASSWORD)).redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (keytool.waitFor() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD.toCharArray());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return new SelfSignedTls(keystore, context);
  }

  /** JVM options that make this certificate the only one a process trusts by default. */
  public String trustOptions() {
    return "-Djavax.net.ssl.trustStore=" + keystore.toAbsolutePath()
        + " -Djavax.net.ssl.trustStorePassword=" + PASSWORD + " -Djavax.net.ssl.trustStoreType=PKCS12";
  }
}
