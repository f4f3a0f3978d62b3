package com.helloapi.database;

/**
 * The requests waiting for a database connection in front of the pool, for a metric: HikariCP's own
 * {@code hikaricp.connections.pending} sees only the waits for a connection being opened. The {@code DataSource}
 * bean is one.
 */
public interface ConnectionQueue {

    int waiting();
}
