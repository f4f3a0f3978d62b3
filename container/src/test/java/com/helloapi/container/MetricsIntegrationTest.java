package com.helloapi.container;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.LoggerContext;
import com.helloapi.HelloApi;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.metrics.MetricsRepositoryMethodInvocationListener;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Request and pool metrics are recorded; CloudWatch gets them only when switched on, whatever the build decided. */
@SpringBootTest(classes = { HelloApi.class, MetricsIntegrationTest.CumulativeRegistry.class },
        webEnvironment = WebEnvironment.RANDOM_PORT, properties = "helloapi.metrics.cloudwatch.step=1s")
class MetricsIntegrationTest {

    /** Counts since start, beside CloudWatch's per-step registry, so that a test can count requests exactly. */
    @TestConfiguration(proxyBeanMethods = false)
    static class CumulativeRegistry {

        @Bean
        SimpleMeterRegistry cumulativeRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @LocalServerPort
    int port;

    /** What CloudWatch would get. */
    @Autowired
    CloudWatchMeterRegistry registry;

    /** Every request since start. */
    @Autowired
    SimpleMeterRegistry cumulative;

    @Autowired
    ApplicationContext context;

    @Test
    void recordsRequestsByRouteAndStatusAndThePool() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/")).build(),
                HttpResponse.BodyHandlers.ofString());
        client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/users/77/")).build(),
                HttpResponse.BodyHandlers.ofString());

        // CloudWatch's registry reports per step (1 s here): a request shows once its step is over.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Timer list = registry.find("http.server.requests").tag("uri", "/api/users").tag("status", "200").timer();
            assertThat(list).isNotNull();
            assertThat(list.count()).isPositive();
        });
        assertThat(registry.find("http.server.requests").tag("uri", "/api/users/{id}").tag("status", "404").timer())
            .isNotNull();
        assertThat(registry.find("hikaricp.connections.active").gauge()).isNotNull();
        assertThat(registry.find("helloapi.db.connections.queued").gauge()).as("requests waiting for a connection")
            .isNotNull()
            .extracting(Gauge::value).isEqualTo(0.0);
        assertThat(registry.find("jvm.memory.used").gauge()).as("not billed for").isNull();
        assertThat(registry.find("http.server.requests.active").longTaskTimer()).as("not read, yet paid for").isNull();
        assertThat(context.getBeanNamesForType(MetricsRepositoryMethodInvocationListener.class))
            .as("queries are timed by the request").isEmpty();
    }

    @Test
    void timesEachRequestOnceWithTheTagsOfSpringsObservation() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < 3; i++) {
            send(client, "GET", "/api/users/?limit=1");
        }
        send(client, "GET", "/api/users/987654/");
        send(client, "GET", "/nowhere");
        send(client, "BREW", "/api/users/");
        send(client, "POST", "/api/users/", "{\"name\": \"\"}");

        // A request is timed once its response has been sent: the client may have it a moment before.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(requests("GET", "/api/users", "200", "SUCCESS").count()).isEqualTo(3);
            assertThat(requests("GET", "/api/users/{id}", "404", "CLIENT_ERROR").count()).isEqualTo(1);
            assertThat(requests("GET", "NOT_FOUND", "404", "CLIENT_ERROR").count()).isEqualTo(1);
            assertThat(requests("UNKNOWN", "UNKNOWN", "405", "CLIENT_ERROR").count()).isEqualTo(1);
            assertThat(requests("POST", "/api/users", "400", "CLIENT_ERROR").count()).isEqualTo(1);
        });
        assertThat(cumulative.find("http.server.requests").timers()).extracting(timer -> timer.getId().getTag("exception"))
            .as("exceptions answered as problems, as Spring's observation tagged them").containsOnly("none");
        Timer list = requests("GET", "/api/users", "200", "SUCCESS");
        assertThat(list.getId().getTag("application")).isEqualTo("helloapi");
        assertThat(list.takeSnapshot().percentileValues()).as("management.metrics.distribution.percentiles")
            .extracting(value -> value.percentile())
            .containsExactly(0.5, 0.95, 0.99);
    }

    private Timer requests(String method, String uri, String status, String outcome) {
        Timer timer = cumulative.find("http.server.requests")
            .tags("method", method, "uri", uri, "status", status, "outcome", outcome)
            .timer();
        assertThat(timer).as("%s %s %s among %s", method, uri, status,
                cumulative.find("http.server.requests").timers().stream().map(Timer::getId).toList())
            .isNotNull();
        return timer;
    }

    private void send(HttpClient client, String method, String path, String... body) throws Exception {
        HttpRequest.BodyPublisher publisher = body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body[0]);
        client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .method(method, publisher)
            .header("Content-Type", "application/json")
            .build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void countsNoLogEventsOnEveryLoggingCall() {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();

        assertThat(logback.getTurboFilterList()).extracting(filter -> filter.getClass().getSimpleName())
            .doesNotContain("MetricsTurboFilter");
    }

    @Test
    void publishesNothingUnlessSwitchedOn() {
        RecordingClient cloudWatch = new RecordingClient();
        contextWith(cloudWatch).run(context -> {
            context.getBean(CloudWatchMeterRegistry.class).counter("http.server.requests.test").increment();
            Thread.sleep(1500);
            assertThat(cloudWatch.requests).isEmpty();
        });
    }

    @Test
    void publishesRequestAndPoolMetricsWhenSwitchedOn() {
        RecordingClient cloudWatch = new RecordingClient();
        contextWith(cloudWatch).withPropertyValues("helloapi.metrics.cloudwatch.enabled=true").run(context -> {
            CloudWatchMeterRegistry registry = context.getBean(CloudWatchMeterRegistry.class);
            registry.counter("http.server.requests.test").increment();
            registry.gauge(ConnectionQueueMetrics.NAME, 3);
            registry.counter("jvm.something").increment();

            await().atMost(Duration.ofSeconds(5)).until(() -> !cloudWatch.requests.isEmpty());
            assertThat(cloudWatch.requests.get(0).namespace()).isEqualTo("HelloAPI");
            assertThat(cloudWatch.requests).flatMap(PutMetricDataRequest::metricData)
                .extracting(datum -> datum.metricName())
                .allSatisfy(name -> assertThat(name)
                    .matches("http\\.server\\.requests.*|hikaricp\\.connections.*|helloapi\\.db\\.connections\\.queued.*"))
                .anySatisfy(name -> assertThat(name).startsWith(ConnectionQueueMetrics.NAME));
        });
    }

    @Test
    void needsNoAwsSettingsWhileSwitchedOff() {
        new ApplicationContextRunner().withUserConfiguration(CloudWatchMetricsConfiguration.class)
            .withBean(Clock.class, () -> Clock.SYSTEM)
            .run(context -> assertThat(context).hasNotFailed().hasSingleBean(CloudWatchMeterRegistry.class));
    }

    private static ApplicationContextRunner contextWith(CloudWatchAsyncClient cloudWatch) {
        return new ApplicationContextRunner().withUserConfiguration(CloudWatchMetricsConfiguration.class)
            .withBean(Clock.class, () -> Clock.SYSTEM)
            .withBean(CloudWatchAsyncClient.class, () -> cloudWatch)
            .withPropertyValues("helloapi.metrics.cloudwatch.step=200ms");
    }

    /** Keeps what would have been sent to CloudWatch. */
    static final class RecordingClient implements CloudWatchAsyncClient {

        final List<PutMetricDataRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
            requests.add(request);
            return CompletableFuture.completedFuture(PutMetricDataResponse.builder().build());
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }
}
