package com.helloapi.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import com.networknt.org.apache.commons.validator.routines.DomainValidator;
import com.networknt.org.apache.commons.validator.routines.EmailValidator;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.format.EmailFormat;
import com.networknt.schema.format.IdnEmailFormat;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;

/**
 * Whether exchanges are the ones the OpenAPI description that springdoc serves ({@value #LOCATION}) declares, so that
 * the description and the API cannot drift apart:
 * <ul>
 * <li>the response's status is declared for the operation (exactly, as a range such as {@code 4XX}, or
 * {@code default}); HEAD is checked as the GET it answers like, without a body;</li>
 * <li>a body's Content-Type is one the declared response lists, a response declared with a body has one, and a JSON
 * body matches the schema of its media type (JSON Schema 2020-12 in OpenAPI 3.1's dialect, formats asserted);</li>
 * <li>every {@code application/problem+json} body matches {@code #/components/schemas/Problem};</li>
 * <li>a request the description has no operation for is answered with a problem: 404 where no path matches, 405 with
 * Allow where the path has no such method.</li>
 * </ul>
 * Paths are matched as the API routes them: with or without the trailing slash, any segment for a path parameter.
 */
final class OpenApiConformance {

    static final String LOCATION = "openapi/users-api.yaml";

    private static final String PROBLEM_JSON = "application/problem+json";

    private static final String PROBLEM_SCHEMA = "/components/schemas/Problem";

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{[^/}]+\\}");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A request the contract sent and the response it got. */
    record Exchange(Request request, Response response) {

        @Override
        public String toString() {
            String body = response.body().length() > 400 ? response.body().substring(0, 400) + "..."
                    : response.body();
            return request.method() + " " + request.path() + " " + request.headers() + " -> " + response.status()
                    + " " + response.header("Content-Type") + " " + body;
        }
    }

    private final JsonNode document;

    /** Path templates (as the description spells them) and the pattern each matches a request path with. */
    private final Map<String, Pattern> paths = new LinkedHashMap<>();

    private final SchemaRegistry registry = SchemaRegistry.withDialect(dialect(),
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .build()));

    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiConformance(JsonNode document) {
        this.document = document;
        for (String template : document.get("paths").propertyNames()) {
            StringBuilder regex = new StringBuilder();
            Matcher parameter = PATH_PARAMETER.matcher(template);
            int literal = 0;
            while (parameter.find()) {
                regex.append(Pattern.quote(template.substring(literal, parameter.start()))).append("[^/]+");
                literal = parameter.end();
            }
            paths.put(template, Pattern.compile(regex.append(Pattern.quote(template.substring(literal))).toString()));
        }
    }

    /**
     * OpenAPI 3.1's dialect, whose email formats also accept the top-level domains RFC 2606 reserves for examples and
     * tests (the contract's addresses end in .example): the validator checks domains against IANA's list, which
     * does not have them, though a mailbox (RFC 5321, RFC 6531) needs no registered domain.
     */
    private static Dialect dialect() {
        EmailValidator mailboxes = new EmailValidator(true, false, DomainValidator.getInstance(true,
                List.of(new DomainValidator.Item(DomainValidator.ArrayType.GENERIC_PLUS, "example", "test",
                        "invalid"))));
        return Dialect.builder(Dialects.getOpenApi31())
            .format(new EmailFormat(mailboxes))
            .format(new IdnEmailFormat(mailboxes))
            .build();
    }

    /** The description on the class path, as springdoc reads it. */
    static OpenApiConformance load() {
        try (InputStream yaml = new ClassPathResource(LOCATION).getInputStream()) {
            return new OpenApiConformance(YAMLMapper.builder().build().readTree(yaml));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + LOCATION, ex);
        }
    }

    /** Fails, naming each exchange and what is wrong with it, unless every exchange is one the description declares. */
    void assertConforms(List<Exchange> exchanges) {
        List<String> failures = new ArrayList<>();
        for (Exchange exchange : exchanges) {
            List<String> violations = violations(exchange.request(), exchange.response());
            if (!violations.isEmpty()) {
                failures.add(exchange + "\n    " + String.join("\n    ", violations));
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " of " + exchanges.size() + " responses differ from "
                    + LOCATION + ":\n" + String.join("\n", failures));
        }
    }

    /** What is wrong with this response to this request by the description; empty if nothing. */
    List<String> violations(Request request, Response response) {
        String path = routed(request.path());
        String template = paths.entrySet()
            .stream()
            .filter(entry -> entry.getValue().matcher(path).matches())
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(null);
        if (template == null) {
            return undescribed(response, 404, "no path of the description matches " + path);
        }
        boolean head = request.method().equals("HEAD");
        String method = head ? "get" : request.method().toLowerCase(Locale.ROOT);
        String operation = "/paths/" + escape(template) + "/" + method;
        if (!method.equals("parameters") && document.at(operation).isObject()) {
            return declared(response, operation + "/responses", head);
        }
        return undescribed(response, 405, template + " has no " + request.method() + " operation");
    }

    private List<String> declared(Response response, String responses, boolean head) {
        String status = String.valueOf(response.status());
        String key = null;
        for (String candidate : List.of(status, status.charAt(0) + "XX", "default")) {
            if (document.at(responses + "/" + candidate).isObject()) {
                key = candidate;
                break;
            }
        }
        if (key == null) {
            return List.of("status " + status + " is not declared (declared: "
                    + String.join(", ", document.at(responses).propertyNames()) + ")");
        }
        return body(response, resolve(responses + "/" + key), head);
    }

    /** A request the description has no operation for: the API's problem for an unknown route or method. */
    private List<String> undescribed(Response response, int status, String reason) {
        List<String> violations = new ArrayList<>();
        if (response.status() != status) {
            violations.add(reason + ", so " + status + " was expected, not " + response.status());
        }
        if (status == 405 && response.header("Allow") == null) {
            violations.add("a 405 without Allow");
        }
        if (!PROBLEM_JSON.equals(mediaType(response))) {
            violations.add(reason + ": a problem (" + PROBLEM_JSON + ") was expected, not "
                    + response.header("Content-Type"));
            return violations;
        }
        violations.addAll(matches(response.body(), PROBLEM_SCHEMA));
        return violations;
    }

    /** The body against the declared response at this JSON pointer (a response object, its $ref resolved). */
    private List<String> body(Response response, String declared, boolean head) {
        JsonNode content = document.at(declared + "/content");
        boolean declaresBody = content.isObject() && !content.isEmpty();
        String mediaType = mediaType(response);
        if (response.body().isEmpty() && !head) {
            return declaresBody ? List.of("no body, but " + declared + " declares "
                    + String.join(", ", content.propertyNames())) : List.of();
        }
        if (mediaType == null) {
            return response.body().isEmpty() ? List.of() : List.of("a body without Content-Type");
        }
        if (!declaresBody || !content.has(mediaType)) {
            return List.of("Content-Type " + mediaType + " is not declared by " + declared + " (declared: "
                    + (declaresBody ? String.join(", ", content.propertyNames()) : "no content") + ")");
        }
        if (head || !(mediaType.equals("application/json") || mediaType.endsWith("+json"))) {
            return List.of();
        }
        List<String> violations = new ArrayList<>();
        String schema = declared + "/content/" + escape(mediaType) + "/schema";
        if (document.at(schema).isObject()) {
            violations.addAll(matches(response.body(), schema));
        }
        if (mediaType.equals(PROBLEM_JSON)) {
            violations.addAll(matches(response.body(), PROBLEM_SCHEMA));
        }
        return violations.stream().distinct().toList();
    }

    /** How the JSON body differs from the schema at this JSON pointer into the description. */
    private List<String> matches(String body, String schemaPointer) {
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        }
        catch (JacksonException ex) {
            return List.of("the body is not JSON: " + ex.getOriginalMessage());
        }
        Schema schema = schemas.computeIfAbsent(schemaPointer, pointer -> registry
            .getSchema(SchemaLocation.of("classpath:" + LOCATION + "#" + pointer)));
        return schema.validate(instance)
            .stream()
            .map(error -> "against #" + schemaPointer + ": "
                    + (error.getInstanceLocation().toString().isEmpty() ? "the body"
                            : error.getInstanceLocation().toString())
                    + ": " + error.getMessage())
            .toList();
    }

    /** The JSON pointer of the object at this pointer, following $refs within the description. */
    private String resolve(String pointer) {
        String resolved = pointer;
        for (int hops = 0; document.at(resolved).has("$ref"); hops++) {
            String ref = document.at(resolved).get("$ref").asString();
            if (!ref.startsWith("#/") || hops > 10) {
                throw new IllegalStateException("Only local $refs are followed: " + ref + " at " + resolved);
            }
            resolved = ref.substring(1);
        }
        return resolved;
    }

    /** The path as routed: no query, and a trailing slash (the API answers the same without one). */
    private static String routed(String path) {
        int query = path.indexOf('?');
        String route = query < 0 ? path : path.substring(0, query);
        return route.endsWith("/") ? route : route + "/";
    }

    private static @Nullable String mediaType(Response response) {
        String contentType = response.header("Content-Type");
        if (contentType == null) {
            return null;
        }
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
    }

    /** A JSON pointer token (RFC 6901). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
