package com.helloapi.container;

import com.helloapi.database.ConnectionQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

/**
 * The requests waiting for a database connection, as the gauge {@value #NAME}: they wait in front of the pool
 * ({@link ConnectionQueue}), where HikariCP's {@code hikaricp.connections.pending} does not see them.
 */
@Component
class ConnectionQueueMetrics implements MeterBinder {

    static final String NAME = "helloapi.db.connections.queued";

    private final ConnectionQueue queue;

    ConnectionQueueMetrics(ConnectionQueue queue) {
        this.queue = queue;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(NAME, queue, ConnectionQueue::waiting)
            .description("Requests waiting for a database connection")
            .register(registry);
    }
}
