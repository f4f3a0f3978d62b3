package com.helloapi.users.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Reads a write's body: at most {@link #MAX_BYTES}, strict JSON (no duplicate keys, no trailing data, bounded
 * nesting and number sizes), and it must be an object. Reading the raw body here, rather than binding it to a type,
 * lets the functions see what the client really sent: absent, null, a string or something else.
 */
@Component
class JsonBodies {

    static final int MAX_BYTES = 64 * 1024;

    private static final int MAX_DEPTH = 64;

    private static final int MAX_NUMBER_LENGTH = 100;

    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
        .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /**
     * @throws BodyTooLargeException past {@link #MAX_BYTES}
     * @throws MalformedBodyException if it is not a JSON object
     */
    Map<String, Object> readObject(InputStream body, long declaredLength) {
        if (declaredLength > MAX_BYTES) {
            throw new BodyTooLargeException();
        }
        byte[] bytes = readAtMost(body);
        if (isBlank(bytes)) {
            // An empty body is an empty object, as Django REST Framework's JSON parser has it: every field missing.
            return new LinkedHashMap<>();
        }
        try (JsonParser parser = mapper.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new MalformedBodyException("Invalid data. Expected a JSON object, but got " + describe(first)
                        + ".");
            }
            Map<String, Object> object = mapper.readValue(parser, mapper.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, Object.class));
            if (parser.nextToken() != null) {
                throw new MalformedBodyException("JSON parse error: unexpected data after the JSON object.");
            }
            return object;
        }
        catch (StreamConstraintsException ex) {
            throw new MalformedBodyException("JSON parse error: the body nests deeper than " + MAX_DEPTH
                    + " levels or has a number longer than " + MAX_NUMBER_LENGTH + " characters.");
        }
        catch (JacksonException ex) {
            throw new MalformedBodyException("JSON parse error: " + clientSafe(ex.getOriginalMessage()));
        }
    }

    /** Jackson's first line, without the Java type names it quotes in backticks. */
    private static String clientSafe(String message) {
        return message.lines().findFirst().orElse("").replaceAll("`[^`]*`", "value").strip();
    }

    private static byte[] readAtMost(InputStream body) {
        try {
            byte[] bytes = body.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new BodyTooLargeException();
            }
            return bytes;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read the request body", ex);
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> "something else";
        };
    }

    /** The body is larger than {@link #MAX_BYTES}. */
    static class BodyTooLargeException extends RuntimeException {

        BodyTooLargeException() {
            super("The request body is larger than " + MAX_BYTES / 1024 + " KiB.");
        }
    }

    /** The body is not a JSON object. */
    static class MalformedBodyException extends RuntimeException {

        MalformedBodyException(String message) {
            super(message);
        }
    }
}
