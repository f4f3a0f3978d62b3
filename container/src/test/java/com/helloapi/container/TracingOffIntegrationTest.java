package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.sql.DataSource;

import com.helloapi.HelloApi;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.TracingObservationHandler.TracingContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Without an OTLP endpoint (the default) nothing traces: no span, no exporter thread, no JDBC wrapper, no trace id. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class TracingOffIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    ObservationRegistry registry;

    @Autowired
    DataSource dataSource;

    @Autowired
    TracingConfiguration.Tracing openTelemetry;

    @Test
    void withoutAnEndpointNothingIsTraced() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/?limit=1"))
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Trace-Id")).isEmpty();
        Observation observation = Observation.start("probe", registry);
        TracingContext tracing = observation.getContext().get(TracingContext.class);
        assertThat((Object) tracing).as("no tracing handler").isNull();
        observation.stop();
        assertThat(openTelemetry.sdk()).as("no OpenTelemetry SDK").isNull();
        // The traced context of TracingIntegrationTest, if it ran first, is closed and its exporter thread ends.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
            .extracting(Thread::getName)
            .noneMatch((name) -> name.startsWith("BatchSpanProcessor")));
        assertThat(dataSource.unwrap(HikariDataSource.class).getDataSource()).isInstanceOf(SimpleDriverDataSource.class);
    }
}
