package com.helloapi.settings;

import java.sql.SQLException;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Turns a start-up that fails on settings or on the database (unreachable server, refused login, unknown database)
 * into one clear report instead of a wall of stack traces. It runs before Boot's own analyzers, which would describe
 * the same failure as a binding or bean-creation error.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class SettingsFailureAnalyzer implements FailureAnalyzer {

    private static final String SETTINGS = "DB_HOST, DB_PORT, DB_NAME, DB_USERNAME, DB_PASSWORD, DB_SSLMODE";

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidSettingsException invalid) {
                return new FailureAnalysis("Invalid settings: " + invalid.getMessage(),
                        "Set the environment variables described in README.md (Configuration).", invalid);
            }
            if (cause instanceof SQLException sql && isConnectionProblem(sql.getSQLState())) {
                return new FailureAnalysis("Cannot use the database: " + sql.getMessage(),
                        "Check that PostgreSQL is reachable and that " + SETTINGS + " are right.", sql);
            }
        }
        return null;
    }

    /** Connection exceptions (08), authorization (28) and an unknown database (3D). */
    private static boolean isConnectionProblem(@Nullable String sqlState) {
        return sqlState != null
                && (sqlState.startsWith("08") || sqlState.startsWith("28") || sqlState.startsWith("3D"));
    }
}
