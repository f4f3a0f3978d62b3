package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.helloapi.HelloApi;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Request and pool metrics are recorded; CloudWatch gets them only when switched on. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class MetricsIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    ApplicationContext context;

    @Test
    void recordsRequestsByRouteAndStatusAndThePool() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/")).build(),
                HttpResponse.BodyHandlers.ofString());
        client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/77/")).build(),
                HttpResponse.BodyHandlers.ofString());

        Timer list = registry.find("http.server.requests").tag("uri", "/api/users").tag("status", "200").timer();
        Timer missing = registry.find("http.server.requests").tag("uri", "/api/users/{id}").tag("status", "404")
            .timer();
        assertThat(list).isNotNull();
        assertThat(list.count()).isPositive();
        assertThat(missing).isNotNull();
        assertThat(registry.find("hikaricp.connections.active").gauge()).isNotNull();
    }

    @Test
    void cloudWatchIsOffByDefault() {
        assertThat(context.getBeansOfType(CloudWatchMeterRegistry.class)).isEmpty();
    }

    @Test
    void cloudWatchRegistryWhenEnabled() {
        new ApplicationContextRunner().withUserConfiguration(CloudWatchMetricsConfiguration.class)
            .withBean(io.micrometer.core.instrument.Clock.class, () -> io.micrometer.core.instrument.Clock.SYSTEM)
            // An endpoint on loopback that refuses: the registry never reaches AWS from a test.
            .withBean(CloudWatchAsyncClient.class, () -> CloudWatchAsyncClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create())
                .build())
            .withPropertyValues("helloapi.metrics.cloudwatch.enabled=true")
            .run(context -> {
                CloudWatchMeterRegistry cloudWatch = context.getBean(CloudWatchMeterRegistry.class);
                cloudWatch.counter("http.server.requests.test").increment();
                cloudWatch.counter("jvm.something").increment();
                assertThat(cloudWatch.find("http.server.requests.test").counter()).isNotNull();
                assertThat(cloudWatch.find("jvm.something").counter()).as("not billed for").isNull();
            });
    }
}
