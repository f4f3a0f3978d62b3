package com.helloapi.lambda;

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

import com.amazonaws.serverless.exceptions.ContainerInitializationException;
import com.amazonaws.serverless.proxy.internal.LambdaContainerHandler;
import com.amazonaws.serverless.proxy.internal.testutils.AwsProxyRequestBuilder;
import com.amazonaws.serverless.proxy.internal.testutils.MockLambdaContext;
import com.amazonaws.serverless.proxy.model.AwsProxyRequest;
import com.amazonaws.serverless.proxy.model.AwsProxyResponse;
import com.amazonaws.serverless.proxy.model.HttpApiV2ProxyRequest;
import com.amazonaws.serverless.proxy.model.SingleValueHeaders;
import com.amazonaws.serverless.proxy.spring.SpringBootLambdaContainerHandler;
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
 * Contract targets that reach the Lambda handler the way each integration would: a {@link Request} becomes the
 * event API Gateway or an ALB would send for it (the headers they add included), and the handler's output is read
 * the way that integration reads it (HTTP API 2.0 ignores multiValueHeaders, for one). One handler, started once
 * per test JVM against the test database, serves every target.
 */
final class LambdaTargets {

    static final String API_HOST = "abcdef1234.execute-api.eu-west-1.amazonaws.com";

    static final String ALB_HOST = "helloapi-alb-1234567890.eu-west-1.elb.amazonaws.com";

    static final String CURSOR_SECRET = "lambda-test-cursor-secret-0123456789";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static @Nullable LambdaHandler handler;

    private static @Nullable SpringBootLambdaContainerHandler<HttpApiV2ProxyRequest, AwsProxyResponse> stockHttpApi;

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

    /**
     * aws-serverless-java-container's classic handler for HTTP API 2.0 events, as its springboot4 pet-store sample
     * builds it (synchronous start, its own serverless servlet server instead of Tomcat), with the same settings.
     */
    static synchronized SpringBootLambdaContainerHandler<HttpApiV2ProxyRequest, AwsProxyResponse> stockHttpApiHandler() {
        if (stockHttpApi == null) {
            configure();
            try {
                stockHttpApi = SpringBootLambdaContainerHandler.getHttpApiV2ProxyHandler(HelloApi.class);
            }
            catch (ContainerInitializationException ex) {
                throw new IllegalStateException("The stock handler did not start", ex);
            }
        }
        return stockHttpApi;
    }

    /** The settings a deployment gives the function, as JVM-wide system properties (the test database's included). */
    private static void configure() {
        TestDatabase.shared().properties().forEach((key, value) -> System.setProperty(key, String.valueOf(value)));
        System.setProperty("helloapi.cursor-secret", CURSOR_SECRET);
        // As template.yaml configures the function's pool.
        System.setProperty("DB_POOL_MIN_IDLE", "0");
        System.setProperty("DB_POOL_ALLOW_SUSPENSION", "true");
    }

    /** API Gateway REST API (payload 1.0) with binary media types {@code *}/{@code *}: every body arrives base64. */
    static Target restApi() {
        return request -> readMultiValue(invoke(restApiEvent(request)));
    }

    /** API Gateway HTTP API, payload format 2.0. */
    static Target httpApi() {
        return request -> readV2(invoke(httpApiEvent(request)));
    }

    /** API Gateway HTTP API, payload format 2.0, through the stock {@link SpringBootLambdaContainerHandler}. */
    static Target stockHttpApi() {
        return request -> readV2(invokeStock(httpApiEvent(request)));
    }

    /** An ALB target group with multi-value headers enabled. */
    static Target alb() {
        return request -> readMultiValue(invoke(albEvent(request)));
    }

    static byte[] invoke(byte[] event) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handler().handleRequest(new java.io.ByteArrayInputStream(event), output, new MockLambdaContext());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return output.toByteArray();
    }

    static byte[] invokeStock(byte[] event) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            stockHttpApiHandler().proxyStream(new java.io.ByteArrayInputStream(event), output, new MockLambdaContext());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return output.toByteArray();
    }

    static byte[] restApiEvent(Request request) {
        URI uri = URI.create(request.path());
        AwsProxyRequestBuilder builder = new AwsProxyRequestBuilder(uri.getPath(), request.method());
        forEachParameter(uri.getRawQuery(), true, builder::queryString);
        Map<String, String> headers = gatewayHeaders(request, API_HOST, "https", "443");
        headers.forEach(builder::header);
        if (request.body() != null) {
            // With binaryMediaTypes */* API Gateway hands every body over base64-encoded.
            builder.body(Base64.getEncoder().encodeToString(request.body().getBytes(StandardCharsets.UTF_8)));
        }
        AwsProxyRequest event = builder.build();
        event.setIsBase64Encoded(request.body() != null);
        SingleValueHeaders single = new SingleValueHeaders();
        headers.forEach(single::put);
        event.setHeaders(single);
        Map<String, String> query = new LinkedHashMap<>();
        forEachParameter(uri.getRawQuery(), true, query::put);
        event.setQueryStringParameters(query.isEmpty() ? null : query);
        return LambdaContainerHandler.getObjectMapper().writeValueAsBytes(event);
    }

    static byte[] httpApiEvent(Request request) {
        URI uri = URI.create(request.path());
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", uri.getRawPath());
        event.put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        ObjectNode headers = event.putObject("headers");
        gatewayHeaders(request, API_HOST, "https", "443").forEach((name, value) -> {
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
        forEachParameter(uri.getRawQuery(), true, (name, value) -> query.put(name,
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

    static byte[] albEvent(Request request) {
        URI uri = URI.create(request.path());
        AwsProxyRequestBuilder builder = new AwsProxyRequestBuilder(uri.getPath(), request.method()).alb();
        // An ALB passes the query string as the client sent it, still percent-encoded.
        forEachParameter(uri.getRawQuery(), false, builder::queryString);
        gatewayHeaders(request, ALB_HOST, "http", "80").forEach(builder::header);
        AwsProxyRequest event = builder.build();
        event.setHeaders(null);
        ObjectNode json = (ObjectNode) JSON.readTree(LambdaContainerHandler.getObjectMapper().writeValueAsBytes(event));
        json.remove("headers");
        json.remove("body");
        body(json, request);
        return JSON.writeValueAsBytes(json);
    }

    /** The request's headers plus those the integration adds when the client did not send them. */
    private static Map<String, String> gatewayHeaders(Request request, String host, String proto, String port) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        putIfAbsent(headers, "Host", host);
        putIfAbsent(headers, "X-Forwarded-Proto", proto);
        putIfAbsent(headers, "X-Forwarded-Port", port);
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

    /** HTTP API and ALB pass text bodies as text and everything else (or a body without a type) base64-encoded. */
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
        boolean text = ApiGatewayResponse.isText(contentType);
        event.put("body", text ? request.body()
                : Base64.getEncoder().encodeToString(request.body().getBytes(StandardCharsets.UTF_8)));
        event.put("isBase64Encoded", !text);
    }

    private static void forEachParameter(@Nullable String rawQuery, boolean decode,
            java.util.function.BiConsumer<String, String> action) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            action.accept(decode ? URLDecoder.decode(name, StandardCharsets.UTF_8) : name,
                    decode ? URLDecoder.decode(value, StandardCharsets.UTF_8) : value);
        }
    }

    /** As API Gateway v1 and a multi-value ALB read a response: multiValueHeaders, then headers not among them. */
    private static Response readMultiValue(byte[] output) {
        JsonNode response = JSON.readTree(output);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.path("multiValueHeaders").properties().forEach(header -> {
            List<String> values = new ArrayList<>();
            header.getValue().forEach(value -> values.add(value.asString()));
            headers.put(header.getKey(), values);
        });
        response.path("headers").properties().forEach(header -> {
            if (headers.keySet().stream().noneMatch(header.getKey()::equalsIgnoreCase)) {
                headers.put(header.getKey(), List.of(header.getValue().asString()));
            }
        });
        return new Response(response.path("statusCode").asInt(), headers, body(response));
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
