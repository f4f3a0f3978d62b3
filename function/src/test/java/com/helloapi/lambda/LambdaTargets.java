package com.helloapi.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

import com.amazonaws.serverless.proxy.internal.testutils.MockLambdaContext;
import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.testing.TestDatabase;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The contract's target through the Lambda handler as an HTTP API would reach it: a {@link Request} becomes the
 * payload 2.0 event API Gateway would send for it (the headers it adds included), and the handler's output is read
 * the way API Gateway reads it (headers and cookies, never multiValueHeaders). One handler, started once per test
 * JVM against the test database, serves every test that needs no application of its own.
 */
final class LambdaTargets {

    static final String API_HOST = "abcdef1234.execute-api.eu-west-1.amazonaws.com";

    static final String CURSOR_SECRET = "lambda-test-cursor-secret-0123456789";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static @Nullable LambdaHandler handler;

    private LambdaTargets() {
    }

    /** The handler, started on first use with the settings a deployment would give it. */
    static synchronized LambdaHandler handler() {
        if (handler == null) {
            configure();
            handler = new LambdaHandler(HelloApi.class);
        }
        return handler;
    }

    /** The settings a deployment gives the function, as JVM-wide system properties (the test database's included). */
    private static void configure() {
        TestDatabase.shared().properties().forEach((key, value) -> System.setProperty(key, String.valueOf(value)));
        System.setProperty("helloapi.cursor-secret", CURSOR_SECRET);
        // As template.yaml configures the function's pool.
        System.setProperty("DB_POOL_MIN_IDLE", "0");
        System.setProperty("DB_POOL_ALLOW_SUSPENSION", "true");
    }

    /** API Gateway HTTP API, payload format 2.0, to the shared handler. */
    static Target httpApi() {
        return request -> readV2(invoke(handler(), httpApiEvent(request)));
    }

    /** API Gateway HTTP API, payload format 2.0, to the given handler. */
    static Target httpApi(LambdaHandler handler) {
        return request -> readV2(invoke(handler, httpApiEvent(request)));
    }

    static byte[] invoke(LambdaHandler handler, byte[] event) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event), output, new MockLambdaContext());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return output.toByteArray();
    }

    static byte[] httpApiEvent(Request request) {
        URI uri = URI.create(request.path());
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", uri.getRawPath());
        event.put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        ObjectNode headers = event.putObject("headers");
        gatewayHeaders(request).forEach((name, value) -> {
            if (name.equalsIgnoreCase("Cookie")) {
                for (String cookie : value.split(";")) {
                    event.withArray("cookies").add(cookie.strip());
                }
            }
            else {
                // Format 2.0 lower-cases names and joins repeated headers with commas.
                String key = name.toLowerCase(Locale.ROOT);
                headers.put(key, headers.has(key) ? headers.get(key).asString() + "," + value : value);
            }
        });
        ObjectNode query = JSON.createObjectNode();
        forEachParameter(uri.getRawQuery(), (name, value) -> query.put(name,
                query.has(name) ? query.get(name).asString() + "," + value : value));
        if (!query.isEmpty()) {
            event.set("queryStringParameters", query);
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "123456789012");
        context.put("apiId", "abcdef1234");
        context.put("domainName", API_HOST);
        context.put("domainPrefix", "abcdef1234");
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("timeEpoch", System.currentTimeMillis());
        ObjectNode http = context.putObject("http");
        http.put("method", request.method());
        http.put("path", uri.getPath());
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        http.put("userAgent", "contract-test");
        body(event, request);
        return JSON.writeValueAsBytes(event);
    }

    /** The request's headers plus those the integration adds when the client did not send them. */
    private static Map<String, String> gatewayHeaders(Request request) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        putIfAbsent(headers, "Host", API_HOST);
        putIfAbsent(headers, "X-Forwarded-Proto", "https");
        putIfAbsent(headers, "X-Forwarded-Port", "443");
        putIfAbsent(headers, "X-Forwarded-For", "127.0.0.1");
        putIfAbsent(headers, "User-Agent", "contract-test");
        if (request.body() != null) {
            putIfAbsent(headers, "Content-Length",
                    String.valueOf(request.body().getBytes(StandardCharsets.UTF_8).length));
        }
        return headers;
    }

    private static void putIfAbsent(Map<String, String> headers, String name, String value) {
        if (headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
            headers.put(name, value);
        }
    }

    /** An HTTP API passes text bodies as text and everything else (or a body without a type) base64-encoded. */
    private static void body(ObjectNode event, Request request) {
        if (request.body() == null) {
            event.put("isBase64Encoded", false);
            return;
        }
        String contentType = request.headers().entrySet().stream()
            .filter(header -> header.getKey().equalsIgnoreCase("Content-Type"))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElse(null);
        String type = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        boolean text = type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript");
        event.put("body", text ? request.body()
                : Base64.getEncoder().encodeToString(request.body().getBytes(StandardCharsets.UTF_8)));
        event.put("isBase64Encoded", !text);
    }

    private static void forEachParameter(@Nullable String rawQuery, BiConsumer<String, String> action) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            action.accept(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
    }

    /** As HTTP API payload 2.0 reads a response: headers and cookies only. */
    static Response readV2(byte[] output) {
        JsonNode response = JSON.readTree(output);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.path("headers").properties()
            .forEach(header -> headers.put(header.getKey(), List.of(header.getValue().asString())));
        List<String> cookies = new ArrayList<>();
        response.path("cookies").forEach(cookie -> cookies.add(cookie.asString()));
        if (!cookies.isEmpty()) {
            headers.put("set-cookie", cookies);
        }
        return new Response(response.path("statusCode").asInt(), headers, body(response));
    }

    private static String body(JsonNode response) {
        JsonNode body = response.get("body");
        if (body == null || body.isNull()) {
            return "";
        }
        return response.path("isBase64Encoded").asBoolean(false)
                ? new String(Base64.getDecoder().decode(body.asString()), StandardCharsets.UTF_8) : body.asString();
    }
}
