package com.helloapi.container;

import java.time.Duration;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.config.MeterFilter;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Ships the API's own metrics to CloudWatch when {@code CLOUDWATCH_METRICS_ENABLED=true} (the ECS stack sets it; off
 * locally): request rate, latency percentiles and errors ({@code http.server.requests}) and connection-pool use
 * ({@code hikaricp.connections.*}). Only those, because every CloudWatch metric is billed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("helloapi.metrics.cloudwatch.enabled")
@EnableConfigurationProperties(CloudWatchMetricsConfiguration.Settings.class)
class CloudWatchMetricsConfiguration {

    /** Where and how often: namespace and publishing interval. */
    @ConfigurationProperties("helloapi.metrics.cloudwatch")
    record Settings(@DefaultValue("HelloAPI") String namespace, @DefaultValue("1m") Duration step) {
    }

    @Bean
    @ConditionalOnMissingBean
    CloudWatchAsyncClient cloudWatchAsyncClient() {
        return CloudWatchAsyncClient.create();
    }

    @Bean
    CloudWatchMeterRegistry cloudWatchMeterRegistry(CloudWatchAsyncClient client, Clock clock, Settings settings) {
        CloudWatchConfig config = new CloudWatchConfig() {

            @Override
            public @Nullable String get(String key) {
                return null;
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
        CloudWatchMeterRegistry registry = new CloudWatchMeterRegistry(config, clock, client);
        registry.config()
            .meterFilter(MeterFilter.denyUnless(id -> id.getName().startsWith("http.server.requests")
                    || id.getName().startsWith("hikaricp.connections")));
        return registry;
    }
}
