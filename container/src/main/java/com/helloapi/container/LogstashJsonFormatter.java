package com.helloapi.container;

import java.nio.charset.Charset;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.StackTracePrinter;
import org.springframework.boot.logging.structured.ContextPairs;
import org.springframework.boot.logging.structured.JsonWriterStructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;

/**
 * Spring Boot's Logstash layout ({@code logging.structured.format.console=logstash}), byte for byte, built in a
 * {@link StringBuilder} and encoded in one call. Spring's own formatter is package-private and encodes every character
 * of every line on its own through an {@code OutputStreamWriter}: with one line per request, encoding took about 10 %
 * of all the CPU a GET takes, and about 5 % this way ({@code bench/profile.sh}). The members mirror Spring Boot 4.0's
 * {@code LogstashStructuredLogFormatter}; {@code LogstashJsonFormatterUnitTest} checks that both still write the same
 * bytes, so an upgrade that changes the layout fails there. One difference: with a stack-trace printer configured, an
 * event whose throwable is not a {@link ThrowableProxy} (Logback's own events always carry one) gets Logback's stack
 * trace here, where Spring's formatter fails.
 */
public class LogstashJsonFormatter extends JsonWriterStructuredLogFormatter<ILoggingEvent> {

    /** Its constructor's parameters are filled in by Spring Boot, which creates the formatter named in the setting. */
    public LogstashJsonFormatter(@Nullable StackTracePrinter stackTracePrinter, ContextPairs contextPairs,
            ThrowableProxyConverter throwableProxyConverter,
            @Nullable StructuredLoggingJsonMembersCustomizer<?> customizer) {
        super(members -> members(stackTracePrinter, contextPairs, throwableProxyConverter, members), customizer);
    }

    private static void members(@Nullable StackTracePrinter stackTracePrinter, ContextPairs contextPairs,
            ThrowableProxyConverter throwableProxyConverter, JsonWriter.Members<ILoggingEvent> members) {
        members.add("@timestamp", ILoggingEvent::getInstant).as(LogstashJsonFormatter::timestamp);
        members.add("@version", "1");
        members.add("message", ILoggingEvent::getFormattedMessage);
        members.add("logger_name", ILoggingEvent::getLoggerName);
        members.add("thread_name", ILoggingEvent::getThreadName);
        members.add("level", ILoggingEvent::getLevel);
        members.add("level_value", ILoggingEvent::getLevel).as(Level::toInt);
        members.add().usingPairs(contextPairs.flat("_", pairs -> {
            pairs.addMapEntries(ILoggingEvent::getMDCPropertyMap);
            pairs.add(ILoggingEvent::getKeyValuePairs, (KeyValuePair pair) -> pair.key, pair -> pair.value);
        }));
        members.add("tags", ILoggingEvent::getMarkerList).whenNotNull().as(LogstashJsonFormatter::markers)
            .whenNotEmpty();
        members.add("stack_trace", event -> event).whenNotNull(event -> event.getThrowableProxy())
            .as(event -> stackTrace(event, stackTracePrinter, throwableProxyConverter));
    }

    @Override
    public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
        return format(event).getBytes(charset);
    }

    private static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(instant, ZoneId.systemDefault()));
    }

    private static Set<String> markers(List<Marker> markers) {
        Set<String> names = new LinkedHashSet<>();
        addNames(names, markers.iterator());
        return names;
    }

    private static void addNames(Set<String> names, Iterator<Marker> markers) {
        while (markers.hasNext()) {
            Marker marker = markers.next();
            names.add(marker.getName());
            if (marker.hasReferences()) {
                addNames(names, marker.iterator());
            }
        }
    }

    private static String stackTrace(ILoggingEvent event, @Nullable StackTracePrinter printer,
            ThrowableProxyConverter converter) {
        if (printer != null && event.getThrowableProxy() instanceof ThrowableProxy proxy) {
            return printer.printStackTraceToString(proxy.getThrowable());
        }
        return converter.convert(event);
    }
}
