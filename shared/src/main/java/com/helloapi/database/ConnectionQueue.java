package com.helloapi.database;

/**
 * The requests waiting for a database connection in front of the pool, for a metric: HikariCP's own
 * {@code hikaricp.connections.pending} sees only the waits for a connection being opened. Unwrap the
 * {@code DataSource} to get it.
 */
public interface ConnectionQueue {

    int waiting();
}
