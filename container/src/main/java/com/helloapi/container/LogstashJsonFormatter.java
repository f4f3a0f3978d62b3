package com.helloapi.container;

import java.nio.charset.Charset;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.logging.StackTracePrinter;
import org.springframework.boot.logging.structured.ContextPairs;
import org.springframework.boot.logging.structured.JsonWriterStructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLoggingJsonMembersCustomizer;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/**
 * Spring Boot's Logstash layout ({@code logging.structured.format.console=logstash}), byte for byte, built in a
 * {@link StringBuilder} and encoded in one call. Spring's own formatter is package-private and encodes every character
 * of every line on its own through an {@code OutputStreamWriter}: with one line per request, encoding took about 10 %
 * of all the CPU a GET takes, and about 5 % this way ({@code bench/profile.sh}). The members mirror Spring Boot 4.0's
 * {@code LogstashStructuredLogFormatter}; {@code LogstashJsonFormatterUnitTest} checks that both still write the same
 * bytes, so an upgrade that changes the layout fails there. One difference: with a stack-trace printer configured, an
 * event whose throwable is not a {@link ThrowableProxy} (Logback's own events always carry one) gets Logback's stack
 * trace here, where Spring's formatter fails.
 * <p>
 * Most lines are request lines: no exception, no markers, a request id and a few plain key-value pairs. Those are
 * written directly, without the member machinery (formatting went from 4.2 % to 2.8 % of a GET's CPU), as long as
 * nothing in {@code logging.structured.json.*} and no listed customizer changes the layout; any other event, and
 * every event when the layout is customized, goes through the members.
 */
public class LogstashJsonFormatter extends JsonWriterStructuredLogFormatter<ILoggingEvent> {

    /** The members' names: a context pair with one of these names goes through the members, which reject it. */
    private static final Set<String> MEMBER_NAMES = Set.of("@timestamp", "@version", "message", "logger_name",
            "thread_name", "level", "level_value", "tags", "stack_trace");

    private final boolean layoutAsShipped;

    /** Its constructor's parameters are filled in by Spring Boot, which creates the formatter named in the setting. */
    public LogstashJsonFormatter(@Nullable StackTracePrinter stackTracePrinter, ContextPairs contextPairs,
            ThrowableProxyConverter throwableProxyConverter,
            @Nullable StructuredLoggingJsonMembersCustomizer<?> customizer, Environment environment) {
        super(members -> members(stackTracePrinter, contextPairs, throwableProxyConverter, members), customizer);
        this.layoutAsShipped = !Binder.get(environment)
            .bind("logging.structured.json", Bindable.mapOf(String.class, Object.class))
            .isBound()
                && SpringFactoriesLoader
                    .loadFactoryNames(StructuredLoggingJsonMembersCustomizer.class, getClass().getClassLoader())
                    .isEmpty();
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
    public String format(ILoggingEvent event) {
        return this.layoutAsShipped && isPlain(event) ? writePlain(event) : super.format(event);
    }

    @Override
    public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
        return format(event).getBytes(charset);
    }

    /** No exception, no markers, and context pairs with distinct names of their own and values written as is. */
    private static boolean isPlain(ILoggingEvent event) {
        if (event.getThrowableProxy() != null || (event.getMarkerList() != null && !event.getMarkerList().isEmpty())) {
            return false;
        }
        Set<String> names = new HashSet<>();
        Map<String, String> context = event.getMDCPropertyMap();
        if (context != null) {
            for (String name : context.keySet()) {
                if (!isPlainName(name, names)) {
                    return false;
                }
            }
        }
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (!isPlainName(pair.key, names) || !(pair.value == null || pair.value instanceof String
                        || pair.value instanceof Number || pair.value instanceof Boolean)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isPlainName(@Nullable String name, Set<String> names) {
        return name != null && !name.isEmpty() && !MEMBER_NAMES.contains(name) && names.add(name);
    }

    /** The members' output for a plain event, in their order. */
    private static String writePlain(ILoggingEvent event) {
        StringBuilder json = new StringBuilder(512).append("{\"@timestamp\":");
        writeString(json, timestamp(event.getInstant()));
        json.append(",\"@version\":\"1\",\"message\":");
        writeValue(json, event.getFormattedMessage());
        json.append(",\"logger_name\":");
        writeValue(json, event.getLoggerName());
        json.append(",\"thread_name\":");
        writeValue(json, event.getThreadName());
        json.append(",\"level\":");
        writeValue(json, event.getLevel());
        json.append(",\"level_value\":").append(event.getLevel().toInt());
        Map<String, String> context = event.getMDCPropertyMap();
        if (context != null) {
            context.forEach((name, value) -> writePair(json, name, value));
        }
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            pairs.forEach(pair -> writePair(json, pair.key, pair.value));
        }
        return json.append("}\n").toString();
    }

    private static void writePair(StringBuilder json, String name, @Nullable Object value) {
        json.append(',');
        writeString(json, name);
        json.append(':');
        writeValue(json, value);
    }

    /** As Spring's {@code JsonValueWriter} writes a null, a number, a boolean or anything else (as its string). */
    private static void writeValue(StringBuilder json, @Nullable Object value) {
        if (value == null) {
            json.append("null");
        }
        else if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        }
        else {
            writeString(json, value.toString());
        }
    }

    /** With the escapes Spring's {@code JsonValueWriter} uses. */
    private static void writeString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (Character.isISOControl(ch)) {
                        json.append("\\u").append(String.format("%04X", (int) ch));
                    }
                    else {
                        json.append(ch);
                    }
                }
            }
        }
        json.append('"');
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
