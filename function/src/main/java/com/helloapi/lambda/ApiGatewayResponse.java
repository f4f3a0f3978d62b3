package com.helloapi.lambda;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * Writes a servlet response in the shape the integration that sent the event reads: API Gateway v1 and multi-value
 * ALBs read multiValueHeaders; HTTP API payload 2.0 reads only headers (repeated ones joined with commas) and
 * cookies; a single-value ALB reads headers and wants a status description. Text bodies stay text, anything else
 * is base64. HEAD responses carry no body, as a servlet container sends none.
 */
final class ApiGatewayResponse {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiGatewayResponse() {
    }

    static byte[] write(ApiGatewayEvent event, LambdaHttpResponse response) {
        ObjectNode output = JSON.createObjectNode();
        output.put("statusCode", response.getStatus());
        Map<String, List<String>> headers = response.headers();
        switch (event.kind()) {
            case API_GATEWAY_V1, ALB_MULTI_VALUE -> {
                ObjectNode multiValueHeaders = output.putObject("multiValueHeaders");
                headers.forEach((name, values) -> {
                    ArrayNode array = multiValueHeaders.putArray(name);
                    values.forEach(array::add);
                });
            }
            case API_GATEWAY_V2 -> {
                ObjectNode single = output.putObject("headers");
                ArrayNode cookies = output.putArray("cookies");
                headers.forEach((name, values) -> {
                    if (HttpHeaders.SET_COOKIE.equalsIgnoreCase(name)) {
                        values.forEach(cookies::add);
                    }
                    else {
                        single.put(name, String.join(", ", values));
                    }
                });
            }
            case ALB -> {
                // Without multi-value headers an ALB takes one value per name: join lists, as HTTP allows.
                ObjectNode single = output.putObject("headers");
                headers.forEach((name, values) -> single.put(name, String.join(", ", values)));
            }
        }
        if (event.kind() == ApiGatewayEvent.Kind.ALB || event.kind() == ApiGatewayEvent.Kind.ALB_MULTI_VALUE) {
            HttpStatus status = HttpStatus.resolve(response.getStatus());
            output.put("statusDescription",
                    response.getStatus() + (status == null ? "" : " " + status.getReasonPhrase()));
        }
        byte[] body = event.isHead() ? new byte[0] : response.body();
        String text = isText(response.getContentType()) ? utf8(body) : null;
        if (text != null || body.length == 0) {
            output.put("body", text == null ? "" : text);
            output.put("isBase64Encoded", false);
        }
        else {
            output.put("body", Base64.getEncoder().encodeToString(body));
            output.put("isBase64Encoded", true);
        }
        return JSON.writeValueAsBytes(output);
    }

    /** Types whose bodies the gateways pass as text; the application writes them in UTF-8. */
    static boolean isText(@Nullable String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript");
    }

    private static @Nullable String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (CharacterCodingException ex) {
            return null;
        }
    }

    /** The status code of a response this class wrote. */
    static int statusOf(byte[] output) {
        return JSON.readTree(output).path("statusCode").asInt();
    }
}
