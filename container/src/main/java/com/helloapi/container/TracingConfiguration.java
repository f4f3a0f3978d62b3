package com.helloapi.container;

import java.net.URI;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.helloapi.web.TraceIdHeader;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.contrib.awsxray.propagator.AwsXrayPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces through OpenTelemetry when an OTLP/HTTP endpoint is set ({@code
 * management.opentelemetry.tracing.export.otlp.endpoint}; in ECS the collector beside the app, which sends them to
 * X-Ray): Micrometer Tracing's OpenTelemetry bridge makes a span of Spring's HTTP server observation of each sampled
 * request (route template and status), continues a caller's W3C {@code traceparent} or X-Ray
 * {@code X-Amzn-Trace-Id}, and OpenTelemetry's JDBC instrumentation adds a child span per statement, its text
 * without values.
 * <p>
 * Without an endpoint nothing of this exists: no SDK, no exporter thread, no span, no JDBC wrapper. The endpoint is
 * read when the application starts, not by a {@code @Conditional}: a Spring AOT build decides conditions when it is
 * built, and would freeze tracing on or off; for the same reason Spring Boot's own tracing auto-configuration is not
 * used.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TracingConfiguration.Settings.class)
class TracingConfiguration {

    /**
     * Where to send spans (none: tracing off), which share of the requests that start a trace here to sample (a
     * caller's sampling decision is followed), and the service's name in the traces.
     */
    @ConfigurationProperties("helloapi.tracing")
    record Settings(@Nullable URI endpoint, @DefaultValue("0.1") double samplingProbability,
            @DefaultValue("helloapi") String serviceName) {

        boolean enabled() {
            return endpoint != null && !endpoint.toString().isBlank();
        }
    }

    /** The OpenTelemetry SDK when tracing is on; flushed and closed with the application. */
    static final class Tracing implements AutoCloseable {

        private final @Nullable OpenTelemetrySdk sdk;

        Tracing(@Nullable OpenTelemetrySdk sdk) {
            this.sdk = sdk;
        }

        @Nullable OpenTelemetrySdk sdk() {
            return sdk;
        }

        @Override
        public void close() {
            if (sdk != null) {
                sdk.close();
            }
        }
    }

    @Bean
    Tracing tracing(Settings settings) {
        if (!settings.enabled()) {
            return new Tracing(null);
        }
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
            .setEndpoint(String.valueOf(settings.endpoint()))
            .build();
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
            .setResource(Resource.getDefault()
                .merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), settings.serviceName()))))
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplingProbability())))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build();
        return new Tracing(OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider)
            .setPropagators(ContextPropagators.create(TextMapPropagator
                .composite(W3CTraceContextPropagator.getInstance(), AwsXrayPropagator.getInstance())))
            .build());
    }

    /**
     * With tracing on, spans for Spring's HTTP server observations, continuing the caller's trace, then
     * {@link TraceIdHeader}; with it off, the registry is left as it is. The request's URL ({@code http.url}, with
     * the path's ids) stays out of the spans: the route template ({@code uri}) names the request.
     */
    @Bean
    ObservationRegistryCustomizer<ObservationRegistry> tracingHandlers(Tracing tracing) {
        return registry -> {
            OpenTelemetrySdk sdk = tracing.sdk();
            if (sdk == null) {
                return;
            }
            io.opentelemetry.api.trace.Tracer otelTracer = sdk.getTracer("com.helloapi");
            OtelTracer tracer = new OtelTracer(otelTracer, new OtelCurrentTraceContext(), event -> {
            });
            OtelPropagator propagator = new OtelPropagator(sdk.getPropagators(), otelTracer);
            registry.observationConfig()
                .observationHandler(new FirstMatchingCompositeObservationHandler(
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)))
                .observationHandler(new TraceIdHeader())
                .observationFilter(context -> context.removeHighCardinalityKeyValue("http.url"));
        };
    }

    /**
     * With tracing on, the pool's connections come through OpenTelemetry's JDBC instrumentation: a span per
     * statement, the statement's text sanitized (no literal values; the repository binds its values anyway), none
     * for the pool opening a connection in the background.
     */
    @Bean
    static BeanPostProcessor tracedStatements(ObjectProvider<Tracing> tracing) {
        return new BeanPostProcessor() {

            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                OpenTelemetrySdk sdk = bean instanceof DataSource ? tracing.getObject().sdk() : null;
                if (sdk != null) {
                    HikariDataSource pool = unwrap((DataSource) bean);
                    if (pool != null && pool.getDataSource() != null) {
                        pool.setDataSource(JdbcTelemetry.builder(sdk)
                            .setDataSourceInstrumenterEnabled(false)
                            .setStatementSanitizationEnabled(true)
                            .build()
                            .wrap(pool.getDataSource()));
                    }
                }
                return bean;
            }
        };
    }

    private static @Nullable HikariDataSource unwrap(DataSource dataSource) {
        try {
            return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
        }
        catch (SQLException ex) {
            return null;
        }
    }
}
