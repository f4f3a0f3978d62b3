package com.helloapi.contract;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP contract of {@code /api/users/}: every case here must hold for every target. A subclass says how requests
 * reach its target ({@link #target()}); the database is the real PostgreSQL of {@link TestDatabase}, emptied before
 * each case.
 */
public abstract class UsersContract {

    static final String PROBLEM_JSON = "application/problem+json";

    static final Pattern RFC_3339_UTC = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** How this target is reached. */
    protected abstract Target target();

    @BeforeEach
    void emptyUsers() {
        TestDatabase.shared().emptyUsers();
    }

    protected Response send(Request request) {
        return target().send(request);
    }

    protected Response get(String path) {
        return send(Request.of("GET", path));
    }

    protected Response post(String json) {
        return send(Request.of("POST", "/api/users/").json(json));
    }

    protected JsonNode create(String name, String email) {
        Response response = post("{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return json(response);
    }

    protected static JsonNode json(Response response) {
        return JSON.readTree(response.body());
    }

    /** A problem response: RFC 9457 fields, problem+json, and nothing of the server's insides. */
    protected static JsonNode problem(Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith(PROBLEM_JSON);
        JsonNode problem = json(response);
        assertThat(problem.get("type").asString()).isNotBlank();
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
        assertRevealsNothing(response.body());
        return problem;
    }

    protected static void assertRevealsNothing(String body) {
        assertThat(body).doesNotContainPattern("(?i)exception|\\bat [a-z]+\\.|java\\.|jackson|springframework|sql|"
                + "postgres|hikari|stacktrace|trace");
    }

    protected static List<String> errors(JsonNode problem, String field) {
        List<String> messages = new ArrayList<>();
        problem.get("errors").get(field).forEach(message -> messages.add(message.asString()));
        return messages;
    }

    // Routes


    @ParameterizedTest
    @ValueSource(strings = { "/api/users/", "/api/users" })
    void listAnswersWithAndWithoutTrailingSlash(String path) {
        create("Ada", "ada@example.com");

        Response response = get(path);

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("results")).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/users/1/", "/api/users/1" })
    void userAnswersWithAndWithoutTrailingSlash(String path) {
        create("Ada", "ada@example.com");

        Response response = get(path);

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("name").asString()).isEqualTo("Ada");
    }

    @Test
    void writesAnswerWithoutTrailingSlashToo() {
        assertThat(send(Request.of("POST", "/api/users").json("{\"name\":\"Ada\",\"email\":\"a@example.com\"}"))
            .status()).isEqualTo(201);
        assertThat(send(Request.of("PATCH", "/api/users/1").json("{\"name\":\"Ada L\"}")).status())
            .isEqualTo(200);
        assertThat(send(Request.of("DELETE", "/api/users/1")).status()).isEqualTo(204);
    }

    @ParameterizedTest
    @ValueSource(strings = { "application/yaml", "application/xml", "text/html" })
    void answersInJsonOnly(String accept) {
        create("Ada", "ada@example.com");

        Response user = send(Request.of("GET", "/api/users/1/").header("Accept", accept));
        problem(user, 406);
        assertThat(user.header("ETag")).as("no representation, so no tag of one").isNull();
        problem(send(Request.of("GET", "/api/users/").header("Accept", accept)), 406);
    }

    @ParameterizedTest
    @ValueSource(strings = { "application/yaml", "application/xml", "text/html" })
    void writesThatCannotBeAnsweredInJsonAreRefusedBeforeWriting(String accept) {
        create("Ada", "ada@example.com");

        Response created = send(Request.of("POST", "/api/users/")
            .header("Accept", accept)
            .json("{\"name\":\"Bob\",\"email\":\"bob@example.com\"}"));
        problem(created, 406);
        assertThat(created.header("Location")).isNull();
        assertThat(created.header("ETag")).isNull();
        problem(send(Request.of("PUT", "/api/users/1/")
            .header("Accept", accept)
            .json("{\"name\":\"Ada L\",\"email\":\"ada.l@example.com\"}")), 406);
        problem(send(Request.of("PATCH", "/api/users/1/").header("Accept", accept).json("{\"name\":\"Ada B\"}")),
                406);

        JsonNode users = json(get("/api/users/")).get("results");
        assertThat(users).hasSize(1);
        assertThat(users.get(0).get("name").asString()).isEqualTo("Ada");
        assertThat(users.get(0).get("email").asString()).isEqualTo("ada@example.com");
    }

    @Test
    void headAnswersLikeGetWithoutBody() {
        create("Ada", "ada@example.com");

        Response get = get("/api/users/1/");
        Response head = send(Request.of("HEAD", "/api/users/1/"));

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("ETag")).isEqualTo(get.header("ETag"));
        assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
        assertThat(send(Request.of("HEAD", "/api/users/")).status()).isEqualTo(200);
    }

    @Test
    void otherMethodsOnTheListAre405WithAllow() {
        Response response = send(Request.of("DELETE", "/api/users/"));

        problem(response, 405);
        assertThat(response.header("Allow")).contains("GET", "HEAD", "POST").doesNotContain("DELETE");
    }

    @Test
    void otherMethodsOnAUserAre405WithAllow() {
        create("Ada", "ada@example.com");

        Response response = send(Request.of("POST", "/api/users/1/").json("{}"));

        problem(response, 405);
        assertThat(response.header("Allow")).contains("GET", "HEAD", "PUT", "PATCH", "DELETE")
            .doesNotContain("POST");
    }

    @Test
    void unknownRoutesAre404Problems() {
        problem(get("/api/nothing-here/"), 404);
        problem(get("/api/users/1/extra/"), 404);
    }

    // Users


    @Test
    void createdUserHasExactlyTheDocumentedFields() {
        JsonNode user = create("Ada", "ada@example.com");

        assertThat(user.propertyNames()).containsExactlyInAnyOrder("id", "name", "email", "created_at",
                "updated_at");
        assertThat(user.get("id").isIntegralNumber()).isTrue();
        assertThat(user.get("created_at").asString()).matches(RFC_3339_UTC);
        assertThat(user.get("updated_at").asString()).matches(RFC_3339_UTC);
        assertThat(Instant.parse(user.get("created_at").asString())).isBefore(Instant.now().plusSeconds(5));
    }

    @Test
    void postAnswers201WithLocationAndTheUser() {
        Response response = post("{\"name\":\"Ada\",\"email\":\"ada@example.com\"}");

        assertThat(response.status()).isEqualTo(201);
        long id = json(response).get("id").asLong();
        assertThat(response.header("Location")).isEqualTo("/api/users/" + id + "/");
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(json(get(response.header("Location")))).isEqualTo(json(response));
    }

    @Test
    void trimsNameAndEmail() {
        JsonNode user = create("  Ada Lovelace \\t", " ada@example.com  ");

        assertThat(user.get("name").asString()).isEqualTo("Ada Lovelace");
        assertThat(user.get("email").asString()).isEqualTo("ada@example.com");
    }

    @Test
    void ignoresUnknownAndReadOnlyFields() {
        Response response = post("{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"id\":999,"
                + "\"created_at\":\"2000-01-01T00:00:00Z\",\"admin\":true}");

        JsonNode user = json(response);
        assertThat(user.get("id").asLong()).isEqualTo(1);
        assertThat(user.get("created_at").asString()).doesNotStartWith("2000");
        assertThat(user.has("admin")).isFalse();
    }

    @Test
    void putReplacesBothFields() {
        create("Ada", "ada@example.com");

        Response response = send(
                Request.of("PUT", "/api/users/1/").json("{\"name\":\"Grace\",\"email\":\"grace@example.com\"}"));

        assertThat(response.status()).isEqualTo(200);
        JsonNode user = json(response);
        assertThat(user.get("name").asString()).isEqualTo("Grace");
        assertThat(user.get("email").asString()).isEqualTo("grace@example.com");
        assertThat(json(get("/api/users/1/"))).isEqualTo(user);
    }

    @Test
    void putRequiresBothFields() {
        create("Ada", "ada@example.com");

        JsonNode problem = problem(send(Request.of("PUT", "/api/users/1/").json("{\"name\":\"Grace\"}")), 400);

        assertThat(errors(problem, "email")).containsExactly("This field is required.");
        assertThat(json(get("/api/users/1/")).get("name").asString()).isEqualTo("Ada");
    }

    @Test
    void patchChangesOnlyTheFieldsGiven() {
        JsonNode created = create("Ada", "ada@example.com");

        Response response = send(Request.of("PATCH", "/api/users/1/").json("{\"name\":\"Ada Lovelace\"}"));

        assertThat(response.status()).isEqualTo(200);
        JsonNode user = json(response);
        assertThat(user.get("name").asString()).isEqualTo("Ada Lovelace");
        assertThat(user.get("email").asString()).isEqualTo("ada@example.com");
        assertThat(user.get("created_at")).isEqualTo(created.get("created_at"));
        assertThat(Instant.parse(user.get("updated_at").asString()))
            .isAfter(Instant.parse(created.get("updated_at").asString()));
    }

    @Test
    void patchAcceptsMergePatchJson() {
        create("Ada", "ada@example.com");

        Response response = send(Request.of("PATCH", "/api/users/1/")
            .body("application/merge-patch+json", "{\"email\":\"lovelace@example.com\"}"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("email").asString()).isEqualTo("lovelace@example.com");
    }

    @Test
    void anEmptyPatchIsMalformedAndChangesNothing() {
        JsonNode created = create("Ada", "ada@example.com");

        problem(send(Request.of("PATCH", "/api/users/1/").json("")), 400);

        assertThat(json(get("/api/users/1/"))).isEqualTo(created);
    }

    @Test
    void patchRejectsNull() {
        create("Ada", "ada@example.com");

        JsonNode problem = problem(send(Request.of("PATCH", "/api/users/1/").json("{\"name\":null}")), 400);

        assertThat(errors(problem, "name")).containsExactly("This field may not be null.");
    }

    @Test
    void deleteAnswers204WithoutBodyAndTheUserIsGone() {
        create("Ada", "ada@example.com");

        Response response = send(Request.of("DELETE", "/api/users/1/"));

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        problem(get("/api/users/1/"), 404);
        problem(send(Request.of("DELETE", "/api/users/1/")), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/api/users/2/", "/api/users/abc/", "/api/users/0/", "/api/users/-1/",
            "/api/users/1.5/", "/api/users/99999999999999999999/", "/api/users/%20/" })
    void missingUsersAndIdsThatAreNotPositiveInt64sAre404(String path) {
        create("Ada", "ada@example.com");

        problem(get(path), 404);
        problem(send(Request.of("PATCH", path).json("{\"name\":\"X\"}")), 404);
        problem(send(Request.of("DELETE", path)), 404);
    }

    // Validation


    @Test
    void requiresNameAndEmail() {
        JsonNode problem = problem(post("{}"), 400);

        assertThat(errors(problem, "name")).containsExactly("This field is required.");
        assertThat(errors(problem, "email")).containsExactly("This field is required.");
    }

    @Test
    void anEmptyBodyMissesEveryField() {
        JsonNode problem = problem(send(Request.of("POST", "/api/users/").json("")), 400);

        assertThat(errors(problem, "name")).containsExactly("This field is required.");
    }

    @Test
    void rejectsNullFields() {
        JsonNode problem = problem(post("{\"name\":null,\"email\":null}"), 400);

        assertThat(errors(problem, "name")).containsExactly("This field may not be null.");
        assertThat(errors(problem, "email")).containsExactly("This field may not be null.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"\"", "\"   \"", "\"\\t\\n\"" })
    void rejectsBlankFields(String blank) {
        JsonNode problem = problem(post("{\"name\":" + blank + ",\"email\":" + blank + "}"), 400);

        assertThat(errors(problem, "name")).containsExactly("This field may not be blank.");
        assertThat(errors(problem, "email")).containsExactly("This field may not be blank.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "true", "{}", "[]", "[\"Ada\"]", "1.5" })
    void rejectsFieldsThatAreNotStrings(String value) {
        JsonNode problem = problem(post("{\"name\":" + value + ",\"email\":\"ada@example.com\"}"), 400);

        assertThat(errors(problem, "name")).containsExactly("Not a valid string.");
    }

    @Test
    void nameHasAtMost150Characters() {
        // Characters, not bytes or UTF-16 units: 150 emoji fit.
        assertThat(post("{\"name\":\"" + "\uD83D\uDE00".repeat(150) + "\",\"email\":\"a@example.com\"}")
            .status()).isEqualTo(201);

        JsonNode problem = problem(post("{\"name\":\"" + "a".repeat(151) + "\",\"email\":\"b@example.com\"}"),
                400);

        assertThat(errors(problem, "name")).containsExactly("Ensure this field has no more than 150 characters.");
    }

    @Test
    void emailHasAtMost254Characters() {
        String local = "a".repeat(64);
        String domain = "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".com";
        String email = local + "@" + domain;
        assertThat(email).hasSizeGreaterThan(254);

        JsonNode problem = problem(post("{\"name\":\"Ada\",\"email\":\"" + email + "\"}"), 400);

        assertThat(errors(problem, "email")).containsExactly("Ensure this field has no more than 254 characters.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "ada@exa mple.com",
            "ada@-example.com", "ada..lovelace@example.com", "ada@example.c" })
    void rejectsInvalidEmails(String email) {
        JsonNode problem = problem(post("{\"name\":\"Ada\",\"email\":\"" + email + "\"}"), 400);

        assertThat(errors(problem, "email")).containsExactly("Enter a valid email address.");
    }

    @ParameterizedTest
    @ValueSource(strings = { "ada@example.com", "ada.lovelace+tag@sub.example.co.uk", "ada@localhost",
            "o'brien@example.ie", "ada@bücher.example" })
    void acceptsValidEmails(String email) {
        assertThat(post("{\"name\":\"Ada\",\"email\":\"" + email + "\"}").status()).isEqualTo(201);
    }

    @Test
    void emailIsUniqueIgnoringCaseWith409() {
        create("Ada", "ada@example.com");

        JsonNode problem = problem(post("{\"name\":\"Other\",\"email\":\"ADA@Example.com\"}"), 409);

        assertThat(errors(problem, "email")).containsExactly("user with this email already exists.");
        assertThat(json(get("/api/users/")).get("results")).hasSize(1);
    }

    @Test
    void changingToATakenEmailIs409() {
        create("Ada", "ada@example.com");
        create("Grace", "grace@example.com");

        JsonNode problem = problem(
                send(Request.of("PATCH", "/api/users/2/").json("{\"email\":\"Ada@example.com\"}")), 409);

        assertThat(errors(problem, "email")).containsExactly("user with this email already exists.");
    }

    @Test
    void rejectsNulCharacters() {
        JsonNode problem = problem(post("{\"name\":\"Ad\\u0000a\",\"email\":\"ada@example.com\"}"), 400);

        assertThat(errors(problem, "name")).containsExactly("Null characters are not allowed.");
    }

    @Test
    void rejectsLoneSurrogates() {
        problem(post("{\"name\":\"Ada \\ud800\",\"email\":\"ada@example.com\"}"), 400);
    }

    // Bodies


    @ParameterizedTest
    @ValueSource(strings = { "{", "{\"name\":}", "not json", "{\"name\":\"Ada\"} trailing", "{'name':'Ada'}" })
    void malformedJsonIs400(String body) {
        problem(post(body), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = { "[]", "[{\"name\":\"Ada\"}]", "\"Ada\"", "42", "null", "true" })
    void bodiesThatAreNotObjectsAre400(String body) {
        problem(post(body), 400);
    }

    @Test
    void duplicateKeysAre400() {
        problem(post("{\"name\":\"Ada\",\"name\":\"Eve\",\"email\":\"ada@example.com\"}"), 400);
    }

    @Test
    void deepNestingIs400() {
        problem(post("{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), 400);
    }

    @Test
    void bodiesOver64KiBAre413() {
        String big = "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"bio\":\"" + "x".repeat(64 * 1024) + "\"}";

        problem(post(big), 413);
        assertThat(json(get("/api/users/")).get("results")).isEmpty();
    }

    @Test
    void bodiesJustUnder64KiBAreRead() {
        String padding = "x".repeat(64 * 1024 - 100);
        String body = "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"bio\":\"" + padding + "\"}";

        assertThat(post(body).status()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = { "text/plain", "application/x-www-form-urlencoded", "application/xml" })
    void writesTakeJsonOnly(String contentType) {
        create("Ada", "ada@example.com");
        String body = "{\"name\":\"Grace\",\"email\":\"grace@example.com\"}";

        problem(send(Request.of("POST", "/api/users/").body(contentType, body)), 415);
        problem(send(Request.of("PUT", "/api/users/1/").body(contentType, body)), 415);
        problem(send(Request.of("PATCH", "/api/users/1/").body(contentType, body)), 415);
    }

    @Test
    void mergePatchIsForPatchOnly() {
        problem(send(Request.of("POST", "/api/users/").body("application/merge-patch+json", "{}")), 415);
    }

    @Test
    void aMissingContentTypeIs415() {
        problem(send(new Request("POST", "/api/users/", Map.of(), "{\"name\":\"Ada\"}")), 415);
    }

    @Test
    void jsonWithCharsetIsJson() {
        assertThat(send(Request.of("POST", "/api/users/")
            .body("application/json; charset=utf-8", "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}"))
            .status()).isEqualTo(201);
    }

    // Lists


    @Test
    void hasDrfCursorPaginationShape() {
        create("Ada", "ada@example.com");

        JsonNode page = json(get("/api/users/"));

        assertThat(page.propertyNames()).containsExactlyInAnyOrder("next", "previous", "results");
        assertThat(page.get("next").isNull()).isTrue();
        assertThat(page.get("previous").isNull()).isTrue();
        assertThat(page.get("results").get(0).get("email").asString()).isEqualTo("ada@example.com");
    }

    @Test
    void defaultsTo20UsersInIdOrder() {
        createMany(25);

        JsonNode page = json(get("/api/users/"));

        assertThat(ids(page)).containsExactlyElementsOf(range(1, 20));
        assertThat(page.get("next").isNull()).isFalse();
    }

    @Test
    void walksForwardAndBackThroughEveryPage() {
        createMany(12);

        List<Long> seen = new ArrayList<>();
        List<String> pages = new ArrayList<>();
        String next = "/api/users/?limit=5";
        JsonNode page = null;
        while (next != null) {
            page = json(get(next));
            seen.addAll(ids(page));
            pages.add(ids(page).toString());
            next = page.get("next").isNull() ? null : relative(page.get("next").asString());
        }
        assertThat(seen).containsExactlyElementsOf(range(1, 12));
        assertThat(pages).containsExactly(range(1, 5).toString(), range(6, 10).toString(),
                range(11, 12).toString());

        JsonNode previous = json(get(relative(page.get("previous").asString())));
        assertThat(ids(previous)).containsExactlyElementsOf(range(6, 10));
        JsonNode first = json(get(relative(previous.get("previous").asString())));
        assertThat(ids(first)).containsExactlyElementsOf(range(1, 5));
        assertThat(first.get("previous").isNull()).isTrue();
        assertThat(first.get("next").isNull()).isFalse();
    }

    @Test
    void pagesStayStableWhenUsersAreAddedAndRemoved() {
        createMany(6);
        JsonNode first = json(get("/api/users/?limit=3"));
        String next = relative(first.get("next").asString());

        send(Request.of("DELETE", "/api/users/1/"));
        create("Late", "late@example.com");

        assertThat(ids(json(get(next)))).containsExactly(4L, 5L, 6L);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "101", "-1", "abc", "1.5", "", "99999999999" })
    void limitOutside1To100Is400(String limit) {
        JsonNode problem = problem(get("/api/users/?limit=" + limit), 400);

        assertThat(problem.get("errors").has("limit")).isTrue();
    }

    @Test
    void limitOf100IsAllowed() {
        createMany(3);

        assertThat(ids(json(get("/api/users/?limit=100")))).hasSize(3);
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "bjE.AAAA", "", "%00", "bjE.qqqqqqqqqqqqqqqqqqqqqq" })
    void malformedCursorsAre400(String cursor) {
        problem(get("/api/users/?cursor=" + cursor), 400);
    }

    @Test
    void tamperedCursorsAre400() {
        createMany(4);
        String next = json(get("/api/users/?limit=2")).get("next").asString();
        String cursor = next.substring(next.indexOf("cursor=") + "cursor=".length());
        String payload = cursor.substring(0, cursor.indexOf('.'));
        String forged = java.util.Base64.getUrlEncoder().withoutPadding()
            .encodeToString("n0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        problem(get("/api/users/?cursor=" + forged + cursor.substring(payload.length())), 400);
    }

    @Test
    void filtersByEmailExactlyIgnoringCase() {
        create("Ada", "ada@example.com");
        create("Adam", "adam@example.com");

        assertThat(ids(json(get("/api/users/?email=ADA@example.COM")))).containsExactly(1L);
        assertThat(ids(json(get("/api/users/?email=ada")))).isEmpty();
        assertThat(ids(json(get("/api/users/?email=ada%25")))).isEmpty();
    }

    @Test
    void linksAreAbsoluteAndHonourForwardedHeaders() {
        createMany(3);

        JsonNode page = json(send(Request.of("GET", "/api/users/?limit=1&email=&x=1")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "api.example.com")
            .header("X-Forwarded-Port", "443")));

        assertThat(page.get("next").asString()).startsWith("https://api.example.com/api/users/?limit=1&")
            .contains("cursor=");
        JsonNode second = json(send(Request.of("GET", relative(page.get("next").asString()))
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", "api.example.com")
            .header("X-Forwarded-Port", "8443")));
        assertThat(second.get("previous").asString()).startsWith("https://api.example.com:8443/api/users/?");
    }

    @Test
    void linksKeepTheEmailFilterEncoded() {
        create("Ada", "ada+tag@example.com");
        create("Grace", "grace@example.com");
        String afterAda = relative(json(get("/api/users/?limit=1")).get("next").asString());

        JsonNode page = json(get(afterAda + "&email=ADA%2Btag@example.com"));

        assertThat(ids(page)).isEmpty();
        String previous = page.get("previous").asString();
        assertThat(previous).contains("email=ADA%2Btag%40example.com");
        assertThat(ids(json(get(relative(previous))))).containsExactly(1L);
    }

    void createMany(int count) {
        for (int i = 1; i <= count; i++) {
            create("User " + i, "user" + i + "@example.com");
        }
    }

    List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("results").forEach(user -> ids.add(user.get("id").asLong()));
        return ids;
    }

    List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            ids.add(id);
        }
        return ids;
    }

    String relative(String absolute) {
        return absolute.substring(absolute.indexOf("/api/"));
    }

    // ConditionalRequests


    @Test
    void getReturnsAnETagThatChangesWithEveryWrite() {
        create("Ada", "ada@example.com");
        String etag = get("/api/users/1/").header("ETag");

        send(Request.of("PATCH", "/api/users/1/").json("{\"name\":\"Ada L\"}"));

        assertThat(etag).matches("\"[^\"]+\"");
        assertThat(get("/api/users/1/").header("ETag")).isNotEqualTo(etag);
    }

    @Test
    void ifNoneMatchWithTheCurrentETagIs304() {
        create("Ada", "ada@example.com");
        String etag = get("/api/users/1/").header("ETag");

        Response response = send(Request.of("GET", "/api/users/1/").header("If-None-Match", etag));

        assertThat(response.status()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
        assertThat(send(Request.of("GET", "/api/users/1/").header("If-None-Match", "\"other\"")).status())
            .isEqualTo(200);
    }

    @Test
    void writesWithAStaleIfMatchAre412AndChangeNothing() {
        create("Ada", "ada@example.com");
        String stale = get("/api/users/1/").header("ETag");
        send(Request.of("PATCH", "/api/users/1/").json("{\"name\":\"Ada L\"}"));

        problem(send(Request.of("PATCH", "/api/users/1/").header("If-Match", stale).json("{\"name\":\"X\"}")),
                412);
        problem(send(Request.of("PUT", "/api/users/1/").header("If-Match", stale)
            .json("{\"name\":\"X\",\"email\":\"x@example.com\"}")), 412);
        problem(send(Request.of("DELETE", "/api/users/1/").header("If-Match", stale)), 412);
        assertThat(json(get("/api/users/1/")).get("name").asString()).isEqualTo("Ada L");
    }

    @Test
    void writesWithTheCurrentIfMatchSucceed() {
        create("Ada", "ada@example.com");
        String etag = get("/api/users/1/").header("ETag");

        Response patched = send(
                Request.of("PATCH", "/api/users/1/").header("If-Match", etag).json("{\"name\":\"Ada L\"}"));
        assertThat(patched.status()).isEqualTo(200);

        Response deleted = send(Request.of("DELETE", "/api/users/1/")
            .header("If-Match", "\"nope\", " + patched.header("ETag")));
        assertThat(deleted.status()).isEqualTo(204);
    }

    @Test
    void ifMatchStarNeedsAnExistingUser() {
        create("Ada", "ada@example.com");

        assertThat(send(Request.of("PATCH", "/api/users/1/").header("If-Match", "*").json("{\"name\":\"A\"}"))
            .status()).isEqualTo(200);
        problem(send(Request.of("PATCH", "/api/users/7/").header("If-Match", "*").json("{\"name\":\"A\"}")),
                404);
    }

    @Test
    void weakETagsNeverMatchIfMatch() {
        create("Ada", "ada@example.com");
        String etag = get("/api/users/1/").header("ETag");

        problem(send(
                Request.of("DELETE", "/api/users/1/").header("If-Match", "W/" + etag)), 412);
    }

    // RequestIds


    @Test
    void echoesTheClientsRequestId() {
        Response response = send(Request.of("GET", "/api/users/").header("X-Request-Id", "client-id-123"));

        assertThat(response.header("X-Request-Id")).isEqualTo("client-id-123");
    }

    @Test
    void generatesOneOtherwiseEvenOnErrors() {
        for (Response response : List.of(get("/api/users/"), get("/api/users/9/"),
                send(Request.of("DELETE", "/api/users/")), post("{"))) {
            assertThat(response.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void replacesARequestIdThatCouldForgeLogLines() {
        Response response = send(Request.of("GET", "/api/users/").header("X-Request-Id", "a b"));

        assertThat(response.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }
}
