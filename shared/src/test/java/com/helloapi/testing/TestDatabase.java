package com.helloapi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;
import org.springframework.util.FileSystemUtils;

/**
 * The PostgreSQL 15 that tests talk to over a real connection. By default an embedded server (one per test JVM);
 * with {@code TEST_DB_HOST} set, a throwaway database created on that server (dropped when the JVM exits), using
 * {@code TEST_DB_PORT} (5432), {@code TEST_DB_USERNAME} (postgres), {@code TEST_DB_PASSWORD} and
 * {@code TEST_DB_NAME} (postgres, the database to connect to for CREATE DATABASE).
 */
public final class TestDatabase {

    private static @Nullable TestDatabase shared;

    private final String host;
    private final int port;
    private final String name;
    private final String username;
    private final String password;
    private @Nullable EmbeddedPostgres embedded;

    private final @Nullable Path embeddedDataDirectory;

    private TestDatabase(String host, int port, String name, String username, String password,
            @Nullable EmbeddedPostgres embedded, @Nullable Path embeddedDataDirectory) {
        this.host = host;
        this.port = port;
        this.name = name;
        this.username = username;
        this.password = password;
        this.embedded = embedded;
        this.embeddedDataDirectory = embeddedDataDirectory;
    }

    /** The database of this JVM's tests, started (or created) on first use. */
    public static synchronized TestDatabase shared() {
        if (shared == null) {
            String externalHost = System.getenv("TEST_DB_HOST");
            shared = externalHost == null || externalHost.isBlank() ? startEmbedded(null) : createOn(externalHost);
        }
        return shared;
    }

    /**
     * Starts an embedded PostgreSQL keeping its data in {@code dataDirectory}, or in a temporary one (deleted when the
     * JVM exits) when null.
     */
    public static TestDatabase startEmbedded(@Nullable Path dataDirectory) {
        Path directory = dataDirectory != null ? dataDirectory : temporaryDirectory();
        EmbeddedPostgres postgres = startServer(directory, 0);
        TestDatabase database = new TestDatabase("localhost", postgres.getPort(), "postgres", "postgres", "",
                postgres, directory);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            database.stopEmbedded();
            if (dataDirectory == null) {
                FileSystemUtils.deleteRecursively(directory.toFile());
            }
        }, "embedded-postgres-stop"));
        return database;
    }

    /** A data directory of its own, kept across {@link #stopEmbedded()} and {@link #restartEmbedded()}. */
    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("helloapi-test-postgres");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static EmbeddedPostgres startServer(Path dataDirectory, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "200")
                .setServerConfig("unix_socket_directories", "");
            if (port > 0) {
                builder.setPort(port);
            }
            return builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false).start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
        }
    }

    private static TestDatabase createOn(String host) {
        int port = Integer.parseInt(env("TEST_DB_PORT", "5432"));
        String username = env("TEST_DB_USERNAME", "postgres");
        String password = env("TEST_DB_PASSWORD", "");
        String maintenance = env("TEST_DB_NAME", "postgres");
        String name = "helloapi_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
            .toLowerCase(Locale.ROOT);
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + maintenance;
        execute(url, username, password, "CREATE DATABASE " + name);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> execute(url, username, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"),
                "test-database-drop"));
        return new TestDatabase(host, port, name, username, password, null, null);
    }

    private static void execute(String url, String username, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, username, password)) {
            connection.createStatement().execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Test database: '" + sql + "' failed on " + url, ex);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The application's {@code db.*} settings that point at this database. */
    public Map<String, Object> properties() {
        return Map.of("db.host", host, "db.port", port, "db.name", name, "db.username", username, "db.password",
                password, "db.sslmode", "disable");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /** Empties the users table and restarts its ids at 1, so each test starts from the same state. */
    public void emptyUsers() {
        try (Connection connection = connect()) {
            connection.createStatement().execute("TRUNCATE users RESTART IDENTITY");
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not empty the users table", ex);
        }
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username, password);
    }

    public boolean isEmbedded() {
        return embeddedDataDirectory != null;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** A new, empty database on the same server (dropped when the JVM exits), for a schema of its own; its URL. */
    public String createDatabase() {
        String database = "helloapi_extra_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(jdbcUrl(), username, password, "CREATE DATABASE " + database);
        // Dropped from the maintenance database: this JVM's own test database may be gone by then.
        String maintenance = "jdbc:postgresql://" + host + ":" + port + "/"
                + (isEmbedded() ? name : env("TEST_DB_NAME", "postgres"));
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> execute(maintenance, username, password, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)"),
                "extra-database-drop"));
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Stops the embedded server (an outage, for fault tests); {@link #restartEmbedded()} brings it back. */
    public synchronized void stopEmbedded() {
        if (embedded != null) {
            try {
                embedded.close();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            embedded = null;
        }
    }

    /** Starts the stopped embedded server again, on the same port (and data directory, when it has one). */
    public synchronized void restartEmbedded() {
        if (embedded == null && embeddedDataDirectory != null) {
            embedded = startServer(embeddedDataDirectory, port);
        }
    }
}
