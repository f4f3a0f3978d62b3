package com.helloapi.database;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the database is: bound from {@code DB_HOST}, {@code DB_PORT}, {@code DB_NAME}, {@code DB_USERNAME},
 * {@code DB_PASSWORD} and {@code DB_SSLMODE} (or the {@code db.*} properties).
 */
@ConfigurationProperties("db")
public record DatabaseSettings(@Nullable String host, @DefaultValue("5432") int port,
        @DefaultValue("my_database") String name, @Nullable String username, @DefaultValue("") String password,
        @DefaultValue("prefer") String sslmode) {

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
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(String.join("; ", problems));
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name + "?sslmode=" + sslmode;
    }

    @Override
    public String toString() {
        return username + "@" + host + ":" + port + "/" + name + " (sslmode " + sslmode + ")";
    }
}
