package com.helloapi.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the database is, how long a statement may take and a connection may be held: bound from
 * {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_USERNAME}, {@code DB_PASSWORD}, {@code DB_SSLMODE},
 * {@code DB_STATEMENT_TIMEOUT} and {@code DB_HOLD_TIMEOUT} (or the {@code db.*} properties).
 */
@ConfigurationProperties("db")
public record DatabaseSettings(@Nullable String host, @DefaultValue("5432") int port,
        @DefaultValue("my_database") String name, @Nullable String username, @DefaultValue("") String password,
        @DefaultValue("prefer") String sslmode, @DefaultValue("5s") Duration statementTimeout,
        @DefaultValue("30s") Duration holdTimeout) {

    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");

    /** @throws InvalidSettingsException naming every missing or wrong setting */
    public DatabaseSettings {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("DB_HOST is not set");
        }
        if (username == null || username.isBlank()) {
            problems.add("DB_USERNAME is not set");
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
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            problems.add("DB_STATEMENT_TIMEOUT must be positive, not " + statementTimeout);
        }
        if (holdTimeout.isNegative()
                || !holdTimeout.isZero() && holdTimeout.compareTo(statementTimeout) <= 0) {
            // Shorter, and a slow statement would break its connection instead of being cancelled by the server.
            problems.add("DB_HOLD_TIMEOUT must be 0 (no limit) or longer than DB_STATEMENT_TIMEOUT ("
                    + statementTimeout + "), not " + holdTimeout);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(String.join("; ", problems));
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name + "?sslmode=" + sslmode;
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
        return username + "@" + host + ":" + port + "/" + name + " (sslmode " + sslmode + ")";
    }
}
