package com.helloapi.lambda;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;

/**
 * An HTTP request as API Gateway or an ALB hands it to Lambda, read the way a servlet container reads the wire: the
 * path and query string as sent, query parameters decoded, every header value kept, the body as bytes.
 *
 * @param kind which integration sent it, and so how its response must be shaped
 * @param method the HTTP method
 * @param path the path as sent (percent-encoded)
 * @param query the raw query string, or null when there is none
 * @param parameters query parameters, decoded, in order, repeated names kept
 * @param headers request headers, every value kept
 * @param body the body, or null when there is none
 * @param sourceIp the client address the integration saw
 * @param domainName the API's domain name, when the integration gives one
 */
record ApiGatewayEvent(Kind kind, String method, String path, @Nullable String query,
        Map<String, List<String>> parameters, HttpHeaders headers, byte @Nullable [] body, @Nullable String sourceIp,
        @Nullable String domainName) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Which integration sent the event. */
    enum Kind {

        /** API Gateway REST API, or an HTTP API with payload format 1.0: answered with multiValueHeaders. */
        API_GATEWAY_V1,

        /** API Gateway HTTP API with payload format 2.0 (and function URLs): answered with headers and cookies. */
        API_GATEWAY_V2,

        /** An ALB target group without multi-value headers: answered with headers and a status description. */
        ALB,

        /** An ALB target group with multi-value headers enabled: answered with multiValueHeaders. */
        ALB_MULTI_VALUE
    }

    static ApiGatewayEvent parse(byte[] json) {
        return parse(JSON.readTree(json));
    }

    static ApiGatewayEvent parse(JsonNode event) {
        if ("2.0".equals(text(event, "version"))) {
            return v2(event);
        }
        if (!event.has("httpMethod")) {
            throw new IllegalArgumentException(
                    "Not an API Gateway or ALB event (no httpMethod, no version 2.0): use FunctionInvoker for "
                            + "direct function invocation");
        }
        return v1(event);
    }

    boolean isHead() {
        return "HEAD".equalsIgnoreCase(this.method);
    }

    private static ApiGatewayEvent v2(JsonNode event) {
        JsonNode context = event.path("requestContext");
        JsonNode http = context.path("http");
        HttpHeaders headers = new HttpHeaders();
        // Format 2.0 joins repeated headers with commas, which HTTP reads as the same list of values.
        event.path("headers").properties().forEach(header -> headers.add(header.getKey(), header.getValue().asString()));
        List<String> cookies = new ArrayList<>();
        event.path("cookies").forEach(cookie -> cookies.add(cookie.asString()));
        if (!cookies.isEmpty()) {
            headers.set(HttpHeaders.COOKIE, String.join("; ", cookies));
        }
        String query = text(event, "rawQueryString");
        String path = text(event, "rawPath");
        return new ApiGatewayEvent(Kind.API_GATEWAY_V2, required(text(http, "method"), "requestContext.http.method"),
                encodePath(path == null ? required(text(http, "path"), "rawPath") : path),
                query == null || query.isEmpty() ? null : query, parseQuery(query), headers, body(event),
                text(http, "sourceIp"), text(context, "domainName"));
    }

    private static ApiGatewayEvent v1(JsonNode event) {
        JsonNode context = event.path("requestContext");
        boolean alb = context.path("elb").isObject();
        HttpHeaders headers = new HttpHeaders();
        JsonNode multiValueHeaders = event.path("multiValueHeaders");
        boolean multiValue = multiValueHeaders.isObject();
        if (multiValue) {
            multiValueHeaders.properties()
                .forEach(header -> header.getValue().forEach(value -> headers.add(header.getKey(), value.asString())));
        }
        else {
            event.path("headers").properties().forEach(header -> headers.add(header.getKey(), header.getValue().asString()));
        }
        // API Gateway decodes query parameters; an ALB passes them as the client sent them.
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        JsonNode multiValueQuery = event.path("multiValueQueryStringParameters");
        JsonNode query = multiValueQuery.isObject() ? multiValueQuery : event.path("queryStringParameters");
        StringBuilder raw = new StringBuilder();
        query.properties().forEach(parameter -> {
            List<JsonNode> values = new ArrayList<>();
            if (parameter.getValue().isArray()) {
                parameter.getValue().forEach(values::add);
            }
            else {
                values.add(parameter.getValue());
            }
            for (JsonNode value : values) {
                String name = parameter.getKey();
                String text = value.asString();
                raw.append(raw.isEmpty() ? "" : "&")
                    .append(alb ? name : encodeQuery(name))
                    .append('=')
                    .append(alb ? text : encodeQuery(text));
                if (alb) {
                    name = decodeQuery(name);
                    text = decodeQuery(text);
                }
                if (name != null && text != null) {
                    parameters.computeIfAbsent(name, key -> new ArrayList<>()).add(text);
                }
            }
        });
        Kind kind = !alb ? Kind.API_GATEWAY_V1 : multiValue ? Kind.ALB_MULTI_VALUE : Kind.ALB;
        String sourceIp = alb ? firstForwardedFor(headers) : text(context.path("identity"), "sourceIp");
        return new ApiGatewayEvent(kind, required(text(event, "httpMethod"), "httpMethod"),
                encodePath(required(text(event, "path"), "path")), raw.isEmpty() ? null : raw.toString(),
                parameters, headers, body(event), sourceIp, text(context, "domainName"));
    }

    private static byte @Nullable [] body(JsonNode event) {
        String body = text(event, "body");
        if (body == null) {
            return null;
        }
        return event.path("isBase64Encoded").asBoolean(false) ? Base64.getMimeDecoder().decode(body)
                : body.getBytes(StandardCharsets.UTF_8);
    }

    /** Query parameters the way Tomcat reads them: form decoding, repeated names kept, undecodable ones skipped. */
    static Map<String, List<String>> parseQuery(@Nullable String query) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decodeQuery(equals < 0 ? pair : pair.substring(0, equals));
            String value = decodeQuery(equals < 0 ? "" : pair.substring(equals + 1));
            if (name != null && !name.isEmpty() && value != null) {
                parameters.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
            }
        }
        return parameters;
    }

    private static @Nullable String decodeQuery(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static String encodeQuery(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /**
     * The path as it would arrive on the wire: characters that may not appear in a URI path (a REST API may hand
     * them over decoded) are percent-encoded; what is already encoded stays as it is.
     */
    static String encodePath(String path) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/%".indexOf(c) >= 0) {
                encoded.append((char) c);
            }
            else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private static @Nullable String firstForwardedFor(HttpHeaders headers) {
        String forwardedFor = headers.getFirst("X-Forwarded-For");
        return forwardedFor == null ? null : forwardedFor.split(",")[0].strip();
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static String required(@Nullable String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("The event has no " + field);
        }
        return value;
    }
}
