package com.helloapi.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.helloapi.testing.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code DB_SSLMODE=verify-full} with {@code DB_SSLROOTCERT}, as the ECS tasks connect to RDS with the RDS CA bundle
 * the image carries: against a server whose certificate a CA of this test signed for 127.0.0.1, the connection is
 * encrypted and verified; with another CA's bundle it is refused.
 */
class TlsVerificationIntegrationTest {

    static PostgresCluster cluster;

    @TempDir
    static Path certificates;

    @BeforeAll
    static void serveTlsWithACertificateOfOurOwnCa() throws Exception {
        assumeTrue(PostgresCluster.isAvailable(), "needs root and PostgreSQL 15's server to make a cluster");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl to make certificates");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=HelloAPI test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Another CA",
                "-keyout", "other.key", "-out", "other.crt");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out",
                "server.csr");
        Files.writeString(certificates.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "1", "-extfile", "san.ext", "-out", "server.crt");

        cluster = PostgresCluster.create();
        Path data = cluster.dataDirectory();
        Files.copy(certificates.resolve("server.crt"), data.resolve("test-server.crt"));
        Files.copy(certificates.resolve("server.key"), data.resolve("test-server.key"));
        run("chown", "postgres:postgres", data.resolve("test-server.crt").toString(),
                data.resolve("test-server.key").toString());
        run("chmod", "600", data.resolve("test-server.key").toString());
        cluster.execute("ALTER SYSTEM SET ssl_cert_file = 'test-server.crt'");
        cluster.execute("ALTER SYSTEM SET ssl_key_file = 'test-server.key'");
        cluster.execute("ALTER SYSTEM SET ssl = on");
        cluster.execute("SELECT pg_reload_conf()");
    }

    @AfterAll
    static void dropTheCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void verifiesTheServerAgainstTheBundleAndEncrypts() throws Exception {
        try (GuardedDataSource pool = pool(certificates.resolve("ca.crt"));
                Connection connection = pool.getConnection();
                ResultSet ssl = connection.createStatement()
                    .executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(ssl.next()).isTrue();
            assertThat(ssl.getBoolean(1)).as("the session is encrypted").isTrue();
        }
    }

    @Test
    void refusesAServerItsBundleDoesNotVouchFor() {
        try (GuardedDataSource pool = pool(certificates.resolve("other.crt"))) {
            assertThatThrownBy(pool::getConnection).hasStackTraceContaining("certificat");
        }
    }

    private static GuardedDataSource pool(Path rootCertificate) {
        DatabaseSettings settings = new DatabaseSettings(cluster.host(), cluster.port(), "postgres", null,
                cluster.superuser(), cluster.superuserPassword(), "verify-full", rootCertificate.toString(),
                Duration.ofSeconds(5), Duration.ofMinutes(30));
        return new DatabaseConfiguration().dataSource(settings, new StandardEnvironment());
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        run(certificates, command.toArray(String[]::new));
    }

    private static void run(String... command) throws Exception {
        run(certificates, command);
    }

    private static void run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
    }
}
