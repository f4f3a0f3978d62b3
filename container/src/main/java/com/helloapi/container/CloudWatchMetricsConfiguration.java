package com.helloapi.container;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.MeterFilter;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API's metrics registry: request rate, latency and errors ({@code http.server.requests}), connection-pool use
 * ({@code hikaricp.connections.*}) and the requests waiting for a connection ({@code helloapi.db.connections.queued}),
 * only those, because every CloudWatch metric is billed. They are published to CloudWatch when
 * {@code CLOUDWATCH_METRICS_ENABLED=true} (the ECS stack sets it; off locally). That switch is read when the
 * application starts, not by a {@code @Conditional}: a Spring AOT build decides conditions when it is built, and would
 * freeze it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CloudWatchMetricsConfiguration.Settings.class)
class CloudWatchMetricsConfiguration {

    /** Whether to publish, where and how often: namespace and publishing interval. */
    @ConfigurationProperties("helloapi.metrics.cloudwatch")
    record Settings(boolean enabled, @DefaultValue("HelloAPI") String namespace, @DefaultValue("1m") Duration step) {
    }

    /** A CloudWatch client given as a bean (tests) or, only when metrics are first published, the SDK's default one. */
    @Bean
    CloudWatchMeterRegistry cloudWatchMeterRegistry(Settings settings, Clock clock,
            ObjectProvider<CloudWatchAsyncClient> client) {
        CloudWatchConfig config = new CloudWatchConfig() {

            @Override
            public @Nullable String get(String key) {
                return null;
            }

            @Override
            public boolean enabled() {
                return settings.enabled();
            }

            @Override
            public String namespace() {
                return settings.namespace();
            }

            @Override
            public Duration step() {
                return settings.step();
            }
        };
        CloudWatchMeterRegistry registry = new CloudWatchMeterRegistry(config, clock,
                client.getIfAvailable(() -> new OnFirstUse(CloudWatchAsyncClient::create)));
        registry.config()
            .meterFilter(MeterFilter.denyUnless(id -> id.getName().startsWith("http.server.requests")
                    || id.getName().startsWith("hikaricp.connections")
                    || id.getName().equals(ConnectionQueueMetrics.NAME)));
        return registry;
    }

    /**
     * Creates the SDK client when metrics are first sent: creating it looks up the AWS region, which a local run has
     * no reason to know.
     */
    static final class OnFirstUse implements CloudWatchAsyncClient {

        private final Supplier<CloudWatchAsyncClient> create;

        private @Nullable CloudWatchAsyncClient client;

        OnFirstUse(Supplier<CloudWatchAsyncClient> create) {
            this.create = create;
        }

        @Override
        public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
            return client().putMetricData(request);
        }

        private synchronized CloudWatchAsyncClient client() {
            if (this.client == null) {
                this.client = this.create.get();
            }
            return this.client;
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public synchronized void close() {
            if (this.client != null) {
                this.client.close();
            }
        }
    }
}
