package com.helloapi.users.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
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
 * Reads a write's body: at most {@link #MAX_BYTES}, strict UTF-8 (no overlong forms, no encoded surrogates; a
 * leading byte order mark is ignored), strict JSON (no duplicate keys, no trailing data, bounded nesting and number
 * sizes), and it must be an object. Reading the raw body here, rather than binding it to a type, lets the functions
 * see what the client really sent: absent, null, a string or something else.
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
     * An empty body as an empty object, as Django REST Framework's JSON parser has it: every field missing.
     *
     * @throws BodyTooLargeException past {@link #MAX_BYTES}
     * @throws MalformedBodyException if it is not a JSON object, or cannot be read
     */
    Map<String, Object> readObject(InputStream body, long declaredLength) {
        return readObject(body, declaredLength, true);
    }

    /**
     * @param emptyIsObject whether an empty body is an empty object, or malformed (a PATCH, which would otherwise
     * change nothing and answer 200)
     * @throws BodyTooLargeException past {@link #MAX_BYTES}
     * @throws MalformedBodyException if it is not a JSON object, or cannot be read
     */
    Map<String, Object> readObject(InputStream body, long declaredLength, boolean emptyIsObject) {
        if (declaredLength > MAX_BYTES) {
            throw new BodyTooLargeException();
        }
        String text = utf8(readAtMost(body));
        if (isBlank(text)) {
            if (!emptyIsObject) {
                throw new MalformedBodyException("JSON parse error: the body is empty; expected a JSON object.");
            }
            return new LinkedHashMap<>();
        }
        try (JsonParser parser = mapper.createParser(text)) {
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
            // A broken chunked encoding, a connection cut mid-body: the client's request, not a server fault.
            throw new MalformedBodyException("The request body could not be read.");
        }
    }

    /**
     * The text, if the bytes are UTF-8 as RFC 3629 has it: Jackson alone would read an overlong {@code C0 AF} as
     * {@code /}, and guess UTF-16 or UTF-32 from the first bytes.
     */
    private static String utf8(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
            return text.startsWith("\ufeff") ? text.substring(1) : text;
        }
        catch (CharacterCodingException ex) {
            throw new MalformedBodyException("JSON parse error: the body is not valid UTF-8.");
        }
    }

    /** Only JSON's own whitespace: space, tab, line feed, carriage return. */
    private static boolean isBlank(String text) {
        return text.chars().allMatch(c -> c == ' ' || c == '\t' || c == '\n' || c == '\r');
    }

    private static String describe(@Nullable JsonToken token) {
        if (token == null) {
            return "nothing";
        }
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
