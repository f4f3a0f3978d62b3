package com.helloapi.database;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * Retires a pooled connection whose server has become read-only (SQLSTATE 25006, a demoted primary), which HikariCP
 * would otherwise keep handing out: its replacement is opened with {@code targetServerType=primary}.
 */
public final class ReadOnlyServerEviction implements SQLExceptionOverride {

    static final String READ_ONLY_SQL_TRANSACTION = "25006";

    @java.lang.Override
    public Override adjudicate(SQLException ex) {
        return READ_ONLY_SQL_TRANSACTION.equals(ex.getSQLState()) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
    }
}
