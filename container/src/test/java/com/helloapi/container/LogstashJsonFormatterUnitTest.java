package com.helloapi.container;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container's log format is Spring Boot's Logstash layout written faster: for the same events, with and without
 * the {@code logging.structured.json.*} customizations, it must write exactly the bytes Spring's own formatter writes.
 * The events include those written directly (a request line, plain messages) and those that go through the members
 * (markers, exceptions, values that are not plain), so both paths are compared.
 */
class LogstashJsonFormatterUnitTest {

    final LoggerContext context = new LoggerContext();

    final Logger logger = context.getLogger("com.helloapi.web.RequestLogFilter");

    LogstashJsonFormatterUnitTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "logging.structured.json.exclude=thread_name",
            "logging.structured.json.rename.level=severity", "logging.structured.json.stacktrace.max-length=120" })
    void writesTheSameBytesAsSpringBootsLogstashFormat(String setting) {
        MockEnvironment environment = new MockEnvironment();
        if (!setting.isEmpty()) {
            String[] pair = setting.split("=", 2);
            environment.setProperty(pair[0], pair[1]);
        }
        context.putObject(Environment.class.getName(), environment);
        StructuredLogEncoder spring = encoder("logstash");
        StructuredLogEncoder ours = encoder(LogstashJsonFormatter.class.getName());

        for (LoggingEvent event : new LoggingEvent[] { plain(), requestLine(), withUnusualPairs(), withContext(),
                withNestedFailure(), withHardText() }) {
            String expected = new String(spring.encode(event), StandardCharsets.UTF_8);

            assertThat(new String(ours.encode(event), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    StructuredLogEncoder encoder(String format) {
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.start();
        return encoder;
    }

    LoggingEvent plain() {
        return new LoggingEvent(Logger.FQCN, logger, Level.INFO, "started in {} ms", null, new Object[] { 42 });
    }

    LoggingEvent requestLine() {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "{} {} {} {} ms", null,
                new Object[] { "GET", "/api/users/{id}", 200, 3L });
        event.setMDCPropertyMap(Map.of("request_id", "0f5e8c0e-7c2a-4b4e-9d0a-3f1c2b7a9e11"));
        event.addKeyValuePair(new KeyValuePair("method", "GET"));
        event.addKeyValuePair(new KeyValuePair("route", "/api/users/{id}"));
        event.addKeyValuePair(new KeyValuePair("status", 200));
        event.addKeyValuePair(new KeyValuePair("duration_ms", 3L));
        return event;
    }

    LoggingEvent withUnusualPairs() {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.DEBUG, "unusual", null, null);
        event.addKeyValuePair(new KeyValuePair("missing", null));
        event.addKeyValuePair(new KeyValuePair("retried", true));
        event.addKeyValuePair(new KeyValuePair("ratio", 0.25));
        event.addKeyValuePair(new KeyValuePair("ids", List.of(1, 2)));
        return event;
    }

    LoggingEvent withContext() {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "GET /api/users/{id} 200 3 ms", null,
                null);
        event.setMDCPropertyMap(Map.of("request_id", "trace-me-42"));
        event.addKeyValuePair(new KeyValuePair("method", "GET"));
        event.addKeyValuePair(new KeyValuePair("status", 200));
        event.addKeyValuePair(new KeyValuePair("duration_ms", 3L));
        Marker audit = MarkerFactory.getDetachedMarker("audit");
        audit.add(MarkerFactory.getDetachedMarker("security"));
        event.addMarker(audit);
        return event;
    }

    LoggingEvent withNestedFailure() {
        IllegalStateException failure = new IllegalStateException("outer", new IllegalArgumentException("inner"));
        return new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "request failed", failure, null);
    }

    LoggingEvent withHardText() {
        return new LoggingEvent(Logger.FQCN, logger, Level.WARN, "naïve \"quoted\"\ttab\nline\u0001 ü 𝄞 \\ </script>",
                null, null);
    }
}
