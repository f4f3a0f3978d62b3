package com.helloapi.contract;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** A request a contract case sends, and the response a target gave, independent of how it was carried. */
public final class HttpExchange {

    private HttpExchange() {
    }

    /** A request: method, path with query, headers and an optional body (UTF-8). */
    public record Request(String method, String path, Map<String, String> headers, @Nullable String body) {

        public static Request of(String method, String path) {
            return new Request(method, path, Map.of(), null);
        }

        public Request header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Request(method, path, more, body);
        }

        public Request json(String json) {
            return new Request(method, path, headers, json).header("Content-Type", "application/json");
        }

        public Request body(String contentType, String content) {
            return new Request(method, path, headers, content).header("Content-Type", contentType);
        }
    }

    /** A response; header names are lower case, and a header given twice keeps both values. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        public Response {
            Map<String, List<String>> lower = new LinkedHashMap<>();
            headers.forEach((name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            headers = Map.copyOf(lower);
        }

        public @Nullable String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : String.join(", ", values);
        }
    }

    /** Something that answers requests: a server over HTTP, or a Lambda handler. */
    public interface Target {

        Response send(Request request);
    }
}
