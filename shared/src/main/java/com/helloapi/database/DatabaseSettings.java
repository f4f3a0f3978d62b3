package com.helloapi.database;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the database is, whose credentials to log in with and how long a statement may take: bound from
 * {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_SECRET_ARN} (or {@code DB_USERNAME} and
 * {@code DB_PASSWORD}), {@code DB_SSLMODE}, {@code DB_SSLROOTCERT}, {@code DB_STATEMENT_TIMEOUT} and
 * {@code DB_POOL_MAX_LIFETIME} (or the {@code db.*} properties).
 *
 * @param secretArn a Secrets Manager secret with {@code username} and {@code password}, read by the Secrets Manager
 * JDBC driver at each login so that a rotated password reaches running processes; when set, {@code username} and
 * {@code password} are unused
 * @param sslrootcert the CA certificates (PEM) that verify-ca and verify-full check the server's certificate against:
 * RDS's bundle in the image
 */
@ConfigurationProperties("db")
public record DatabaseSettings(@Nullable String host, @DefaultValue("5432") int port,
        @DefaultValue("my_database") String name, @Nullable String secretArn, @Nullable String username,
        @DefaultValue("") String password, @DefaultValue("prefer") String sslmode, @Nullable String sslrootcert,
        @DefaultValue("5s") Duration statementTimeout, @DefaultValue("30m") Duration poolMaxLifetime) {

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    /** HikariCP's own floor: it ignores a shorter lifetime without a word. */
    private static final Duration SHORTEST_LIFETIME = Duration.ofSeconds(30);

    /** @throws InvalidSettingsException naming every missing or wrong setting */
    public DatabaseSettings {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("DB_HOST is not set");
        }
        if (!usesSecret(secretArn) && (username == null || username.isBlank())) {
            problems.add("DB_USERNAME is not set (nor DB_SECRET_ARN)");
        }
        if (usesSecret(secretArn) && !secretArn.startsWith("arn:")) {
            problems.add("DB_SECRET_ARN must be a secret's ARN (arn:aws:secretsmanager:<region>:...), not '"
                    + secretArn + "'");
        }
        if (port < 1 || port > 65535) {
            problems.add("DB_PORT must be between 1 and 65535, not " + port);
        }
        if (name.isBlank()) {
            problems.add("DB_NAME is empty");
        }
        if (!SSL_MODES.contains(sslmode)) {
            problems.add("DB_SSLMODE must be one of disable, allow, prefer, require, verify-ca, verify-full, not '"
                    + sslmode + "'");
        }
        if (sslrootcert != null && !sslrootcert.isBlank() && !Files.isReadable(Path.of(sslrootcert))) {
            problems.add("DB_SSLROOTCERT names no readable file: " + sslrootcert);
        }
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            problems.add("DB_STATEMENT_TIMEOUT must be positive, not " + statementTimeout);
        }
        if (poolMaxLifetime.compareTo(SHORTEST_LIFETIME) < 0) {
            problems.add("DB_POOL_MAX_LIFETIME must be at least 30s, not " + poolMaxLifetime);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(String.join("; ", problems));
        }
    }

    private static boolean usesSecret(@Nullable String secretArn) {
        return secretArn != null && !secretArn.isBlank();
    }

    boolean usesSecret() {
        return usesSecret(secretArn);
    }

    /**
     * The pool's URL: pgjdbc's, or with {@code DB_SECRET_ARN} the Secrets Manager JDBC driver's (pgjdbc's with its
     * scheme), which logs in to pgjdbc with the secret's credentials and hands back pgjdbc's own connection.
     */
    String jdbcUrl() {
        return usesSecret() ? pgjdbcUrl().replaceFirst("^jdbc:", "jdbc-secretsmanager:") : pgjdbcUrl();
    }

    /** pgjdbc's own URL for the database. */
    String pgjdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /** Whom the pool logs in as: the Secrets Manager driver takes the secret's ARN in place of a user name. */
    @Nullable String loginUser() {
        return usesSecret() ? secretArn : username;
    }

    /** The pool's password: none with {@code DB_SECRET_ARN}, whose driver takes it from the secret. */
    @Nullable String loginPassword() {
        return usesSecret() ? null : password;
    }

    /** How pgjdbc encrypts and, with {@code DB_SSLROOTCERT}, verifies the server. */
    Map<String, String> tlsProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("sslmode", sslmode);
        if (sslrootcert != null && !sslrootcert.isBlank()) {
            properties.put("sslrootcert", sslrootcert);
        }
        return properties;
    }

    /**
     * What pgjdbc is told besides the URL:
     * <ul>
     * <li>{@code targetServerType=primary}: after a failover a new connection never lands on a server that is still
     * read-only (the endpoint's DNS moving to the promoted standby).</li>
     * <li>{@code logServerErrorDetail=false}: the server's DETAIL of an error, which quotes the row's values (an
     * e-mail address that is taken), stays out of exception messages, and so out of logs and traces.</li>
     * </ul>
     */
    Map<String, String> driverProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.putAll(tlsProperties());
        properties.put("targetServerType", "primary");
        // pgjdbc remembers a host it found read-only for this long: a promoted standby is tried again within 2 s.
        properties.put("hostRecheckSeconds", "2");
        properties.put("connectTimeout", "2");
        properties.put("tcpKeepAlive", "true");
        properties.put("logServerErrorDetail", "false");
        properties.put("options", sessionOptions());
        return properties;
    }

    /**
     * How long a connection may be held before {@link GuardedDataSource} aborts it: a statement the network
     * swallowed (no answer, no reset) ends two seconds after the server would have cancelled it, rather than when TCP
     * gives up many minutes later.
     */
    Duration holdLimit() {
        return statementTimeout.plusSeconds(2);
    }

    /**
     * Server-side limits for every session: a stuck or slow statement is cancelled rather than pinning a request
     * thread and a pooled connection, and a transaction left open cannot hold locks for long.
     */
    String sessionOptions() {
        long millis = statementTimeout.toMillis();
        return "-c statement_timeout=" + millis + " -c idle_in_transaction_session_timeout=" + (millis * 2);
    }

    @Override
    public String toString() {
        String who = usesSecret() ? "credentials from " + secretArn : username;
        return who + "@" + host + ":" + port + "/" + name + " (sslmode " + sslmode + ")";
    }
}
