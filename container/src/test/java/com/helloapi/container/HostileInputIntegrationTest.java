package com.helloapi.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.helloapi.HelloApi;
import com.helloapi.container.RawHttp.Answer;
import com.helloapi.container.RawHttp.Request;
import com.helloapi.container.RawHttp.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded, bounded fuzz test of the HTTP surface over raw sockets: random and invalid bytes, deep nesting, huge
 * numbers and strings, Unicode edge cases, duplicate keys, long and many headers, odd methods, SQL and path
 * metacharacters in every field, query parameter and path segment, malformed percent-encoding, wrong content types
 * and lengths, broken request lines. Every answer is below 500, every error is an RFC 9457 problem that shows nothing
 * of the server's insides, and the server is still healthy afterwards. The seed is printed; rerun one with
 * {@code -Dhelloapi.fuzz.seed=...}.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class HostileInputIntegrationTest {

    static final long SEED = Long.getLong("helloapi.fuzz.seed", 0x48656C6C6FL);

    /** The most requests one family may send; all families together stay under a few thousand. */
    static final int MAX_REQUESTS_PER_FAMILY = 500;

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an error body must never show: stack traces, Java or library names, SQL, the server's name. */
    static final Pattern REVEALING = Pattern.compile("(?i)exception|\\bat [a-z]+\\.[a-z]|java\\.|jakarta\\.|"
            + "jackson|springframework|org\\.apache|tomcat|catalina|coyote|hikari|postgres|psql|\\bsql|"
            + "stack ?trace|<html|<body");

    static final List<String> METACHARACTERS = List.of("'", "''", "\"", ";", "--", "/*", "*/", "' OR '1'='1",
            "' OR 1=1 --", "1; DROP TABLE users; --", "' UNION SELECT NULL, NULL --", "admin'--", "\\", "\\\\", "%",
            "%00", "%%", "%2e%2e", "%2f", "%5c", "%252e", "../", "..\\", "../../../../etc/passwd", "..%2f..%2f",
            "%2e%2e%2f", "/", "//", "?", "#", "&", "=", "+", "*", "_", "`", "|", "$", "$(id)", "${7*7}", "{{7*7}}",
            "<script>alert(1)</script>", "<!--", "]]>", "\r\n", "\t", " ", "null", "undefined", "NaN", "-1", "0",
            "9223372036854775808", "1e309", ":", "@", "a@b@c", ";jsessionid=1", "a b", "\"; --");

    static final List<String> UNICODE = List.of("\u0000", "a\u0000b", "\ud800", "\udc00", "a\ud800b",
            "\udbff\udfff", "\ufeff", "\ufeffAda", "\u202eevil", "\u200f\u200e", "\u200b", "\u2028\u2029", "\uffff",
            "\ufffe", "\ufffd", "\ud83d\ude00", "e\u0301\u0301\u0301", "\u03a9", "\u00df", "\u0130", "\u0085",
            "\u007f", "\u001b[31m", "\ud835\udd4f", "\u4e2d\u6587", "\u05e2\u05d1\u05e8\u05d9\u05ea");

    /** Byte sequences that are not UTF-8 (or are, with a trap): surrogates, overlong forms, BOM, NUL. */
    static final List<byte[]> RAW_BYTES = List.of(bytes(0xed, 0xa0, 0x80), bytes(0xc0, 0xaf), bytes(0xc0, 0x80),
            bytes(0xe0, 0x80, 0xaf), bytes(0xf0, 0x80, 0x80, 0xaf), bytes(0xf8, 0x88, 0x80, 0x80, 0x80),
            bytes(0xff), bytes(0xfe), bytes(0x80), bytes(0xc3), bytes(0xef, 0xbb, 0xbf), bytes(0x00),
            bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xed, 0xbf, 0xbf), bytes(0xe2, 0x80, 0xae));

    static final List<String> MALFORMED_ENCODINGS = List.of("%", "%1", "%G1", "%zz", "%%", "%u0041", "%c0%af",
            "%c0%ae%c0%ae/", "%e0%80%af", "%ed%a0%80", "%ff", "%fe%ff", "%00", "%0a", "%0d%0a", "%2e%2e%2f%2e%2e%2f",
            "%2f", "%5c", "%252f", "%;", "%2", "%C3", "%f4%90%80%80", "%2e", "%2e%2e", ".%2e", "%7f", "%c3%28");

    static final List<String> RAW_URI_CHARACTERS = List.of(" ", "\"", "<", ">", "\\", "^", "`", "{", "|", "}",
            "\u007f", "\u0000", "\t", "\u00e9", "\u00ff", "..", "/./", "//", "/../", ";", ";jsessionid=1", ";a=b/..",
            "#frag", "[", "]", "\u0001", "'", "!", "$", "(", ")", "*", ",", "~");

    @LocalServerPort
    int port;

    RawHttp http;

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A user that exists, for routes that need one. */
    long userId;

    @BeforeAll
    static void printSeed() {
        System.out.println("HostileInputIntegrationTest seed: " + SEED + " (rerun with -Dhelloapi.fuzz.seed="
                + SEED + ")");
    }

    @BeforeEach
    void createUsers() throws Exception {
        http = new RawHttp(port);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = send("POST", "/api/users/",
                    "{\"name\":\"Fuzz Target\",\"email\":\"fuzz-" + System.nanoTime() + "@example.com\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            userId = JSON.readTree(created.body()).get("id").asLong();
        }
    }

    /** The server survived: ready, and a normal create and read work. */
    @AfterEach
    void serverIsStillHealthy() throws Exception {
        HttpResponse<String> readiness = send("GET", "/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        String email = "after-fuzz-" + System.nanoTime() + "@example.com";
        HttpResponse<String> created = send("POST", "/api/users/",
                "{\"name\":\"Still Here\",\"email\":\"" + email + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> read = send("GET", location, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).get("email").asString()).isEqualTo(email);
    }

    @Test
    void randomBytesAsBodies() {
        Random random = random(1);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] body = switch (i % 3) {
                case 0 -> randomBytes(random, random.nextInt(i < 100 ? 32 : 2000));
                case 1 -> randomJsonish(random, random.nextInt(400));
                default -> randomUtf8Traps(random);
            };
            requests.add(write(random, "random body", body));
        }
        fire(requests);
    }

    @Test
    void jsonEdgeCases() {
        Random random = random(2);
        List<Request> requests = new ArrayList<>();
        for (int depth : new int[] { 63, 64, 65, 100, 1_000, 10_000, 40_000 }) {
            requests.add(post("nesting " + depth, "[".repeat(depth) + "]".repeat(depth)));
            requests.add(post("nesting " + depth, "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
            requests.add(post("nesting in a field " + depth, "{\"name\":" + "[".repeat(depth) + "]".repeat(depth)
                    + ",\"email\":\"a@example.com\"}"));
            requests.add(post("unclosed nesting " + depth, "{\"name\":" + "[{\"a\":".repeat(depth)));
        }
        for (String number : List.of("1e999999999", "-1e-999999999", "9".repeat(99), "9".repeat(100),
                "9".repeat(101), "9".repeat(1_000), "9".repeat(50_000), "1." + "0".repeat(5_000), "0x10", "NaN",
                "Infinity", "-Infinity", "-0", "1.7976931348623157e309", "01", ".5", "5.", "+5", "1e", "--1",
                "9223372036854775808", "-9223372036854775809", "1" + "e9".repeat(10))) {
            requests.add(post("number " + abbreviate(number), "{\"name\":" + number + ",\"email\":\"n@example.com\"}"));
            requests.add(post("number as id " + abbreviate(number), "{\"id\":" + number
                    + ",\"name\":\"N\",\"email\":\"" + unique(random) + "@example.com\"}"));
        }
        for (int length : new int[] { 150, 151, 1_000, 60_000, 64 * 1024, 70_000 }) {
            requests.add(post("name of " + length, "{\"name\":\"" + "x".repeat(length) + "\",\"email\":\""
                    + unique(random) + "@example.com\"}"));
        }
        for (int length : new int[] { 254, 255, 10_000, 60_000 }) {
            requests.add(post("email of " + length, "{\"name\":\"E\",\"email\":\"" + "e".repeat(length - 12)
                    + "@example.com\"}"));
        }
        requests.add(post("escaped NULs", "{\"name\":\"" + "\\u0000".repeat(10_000)
                + "\",\"email\":\"x@example.com\"}"));
        requests.add(post("surrogate pairs", "{\"name\":\"" + "\\ud83d\\ude00".repeat(5_000)
                + "\",\"email\":\"" + unique(random) + "@example.com\"}"));
        requests.add(post("many keys", "{" + manyKeys(5_000) + "\"name\":\"K\","
                + "\"email\":\"" + unique(random) + "@example.com\"}"));
        requests.add(post("long key", "{\"" + "k".repeat(60_000) + "\":1,\"name\":\"L\",\"email\":\"" + unique(random)
                + "@example.com\"}"));
        for (String text : UNICODE) {
            for (String field : List.of("name", "email", "key")) {
                requests.add(post("escaped unicode in " + field, userJson(random, field, escapeJson(text))));
                requests.add(post("raw unicode in " + field, userJson(random, field, rawJson(text))));
            }
        }
        for (byte[] raw : RAW_BYTES) {
            requests.add(write(random, "raw bytes in name", concat(utf8("{\"name\":\"Ad"), raw,
                    utf8("a\",\"email\":\"" + unique(random) + "@example.com\"}"))));
            requests.add(write(random, "raw bytes in email", concat(utf8("{\"name\":\"Ada\",\"email\":\"a"), raw,
                    utf8("@example.com\"}"))));
            requests.add(write(random, "raw bytes before the body", concat(raw, utf8("{\"name\":\"Ada\",\"email\":\""
                    + unique(random) + "@example.com\"}"))));
        }
        String valid = "{\"name\":\"Ada\",\"email\":\"ada@example.com\"}";
        requests.add(write(random, "BOM", concat(bytes(0xef, 0xbb, 0xbf), utf8(valid))));
        requests.add(write(random, "BOM only", bytes(0xef, 0xbb, 0xbf)));
        requests.add(write(random, "BOM and spaces", bytes(0xef, 0xbb, 0xbf, ' ', '\n')));
        requests.add(write(random, "two BOMs", concat(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf), utf8(valid))));
        requests.add(write(random, "UTF-16 with BOM",
                concat(bytes(0xfe, 0xff), valid.getBytes(StandardCharsets.UTF_16BE))));
        requests.add(write(random, "UTF-16LE", valid.getBytes(StandardCharsets.UTF_16LE)));
        requests.add(write(random, "UTF-32", valid.getBytes(Charset.forName("UTF-32"))));
        for (String body : List.of("{\"name\":\"a\",\"name\":\"b\",\"email\":\"d@example.com\"}",
                "{\"name\":\"a\",\"n\\u0061me\":\"b\",\"email\":\"d@example.com\"}",
                "{\"name\":\"a\",\"Name\":\"b\",\"email\":\"" + unique(random) + "@example.com\"}",
                "{\"email\":\"d@example.com\",\"email\":\"d@example.com\",\"name\":\"a\"}",
                "{\"a\":{\"x\":1,\"x\":2},\"name\":\"a\",\"email\":\"d@example.com\"}",
                "{\"name\":\"a\",\"email\":\"d@example.com\"} trailing",
                "{\"name\":\"a\",\"email\":\"d@example.com\",}",
                "{/* comment */\"name\":\"a\",\"email\":\"d@example.com\"}", "{'name':'a','email':'d@example.com'}",
                "{name:\"a\",email:\"d@example.com\"}", "{\"name\":\"a\"\"email\":\"d@example.com\"}",
                "{\"\":\"\",\"name\":\"a\",\"email\":\"" + unique(random) + "@example.com\"}",
                "{\"name\":\"a\",\"email\":\"d@example.com\"}{}", "{\"name\":\"a\\x41\",\"email\":\"d@example.com\"}",
                "{\"name\":\"\\ud800\\u0000\",\"email\":\"d@example.com\"}", "{\"name\":\"\\u00\",\"email\":\"\"}",
                "\"just a string\"", "[]", "null", "true", "42", "{", "}", "{\"name\"", "{\"name\":", "\u0000",
                " \t\r\n ", "{\"name\":\"a\",\"email\":[\"d@example.com\"]}", "{\"name\":{},\"email\":{}}")) {
            requests.add(post("structure", body));
        }
        for (int i = 0; i < 150; i++) {
            requests.add(write(random, "mutated", mutate(random, utf8("{\"name\":\"Ada Lovelace\",\"email\":\""
                    + unique(random) + "@example.com\",\"id\":[1,2.5e3,null,true,{\"x\":\"\\u00e9\"}]}"))));
        }
        fire(requests);
    }

    @Test
    void metacharactersInEveryFieldParameterAndPathSegment() {
        Random random = random(3);
        List<Function<String, Request>> templates = List.of(
                p -> post("name", "{\"name\":\"" + escapeJson(p) + "\",\"email\":\"" + unique(random)
                        + "@example.com\"}"),
                p -> post("email", "{\"name\":\"M\",\"email\":\"" + escapeJson(p) + "\"}"),
                p -> post("email local part", "{\"name\":\"M\",\"email\":\"x" + escapeJson(p) + "@example.com\"}"),
                p -> post("key", "{\"" + escapeJson(p) + "\":\"v\",\"name\":\"M\",\"email\":\"" + unique(random)
                        + "@example.com\"}"),
                p -> body("PATCH", "/api/users/" + userId + "/", "application/json", "patch name",
                        utf8("{\"name\":\"" + escapeJson(p) + "\"}")),
                p -> body("PUT", "/api/users/" + userId + "/", "application/json", "put email",
                        utf8("{\"name\":\"M\",\"email\":\"" + escapeJson(p) + "\"}")),
                p -> get("email parameter", "/api/users/?email=" + encode(p)),
                p -> get("limit parameter", "/api/users/?limit=" + encode(p)),
                p -> get("cursor parameter", "/api/users/?cursor=" + encode(p)),
                p -> get("parameter name", "/api/users/?" + encode(p) + "=" + encode(p)),
                p -> get("id path segment", "/api/users/" + encode(p) + "/"),
                p -> get("path segment", "/api/" + encode(p) + "/users/"),
                p -> plain("DELETE", "/api/users/" + encode(p) + "/", "delete path segment"),
                p -> plain("GET", "/api/users/" + userId + "/", "if-none-match", "If-None-Match: " + headerSafe(p)),
                p -> plain("PATCH", "/api/users/" + userId + "/", "if-match", "If-Match: " + headerSafe(p),
                        "Content-Type: application/json", "Content-Length: 2", "", "{}"));
        List<Request> requests = new ArrayList<>();
        List<String> payloads = new ArrayList<>(METACHARACTERS);
        payloads.addAll(UNICODE);
        for (String payload : payloads) {
            for (int i = 0; i < 4; i++) {
                requests.add(templates.get(random.nextInt(templates.size())).apply(payload));
            }
        }
        fire(requests);
    }

    @Test
    void malformedPercentEncodingAndRawCharactersInPathsAndQueries() {
        Random random = random(4);
        List<Function<String, String>> places = List.of(s -> "/api/users/" + s + "/", s -> "/api/users/1" + s,
                s -> "/api/users/?email=" + s, s -> "/api/users/?limit=" + s, s -> "/api/users/?cursor=" + s,
                s -> "/" + s, s -> "/api/" + s + "users/", s -> "/actuator/" + s + "health", s -> "/api/users/?" + s
                        + "=1", s -> "/api/users/" + s);
        List<Request> requests = new ArrayList<>();
        List<String> pieces = new ArrayList<>(MALFORMED_ENCODINGS);
        pieces.addAll(RAW_URI_CHARACTERS);
        for (String piece : pieces) {
            for (int i = 0; i < 3; i++) {
                String target = places.get(random.nextInt(places.size())).apply(latin1(piece));
                String method = List.of("GET", "GET", "DELETE", "HEAD").get(random.nextInt(4));
                requests.add(new Request("uri " + method, wire(method + " " + target + " HTTP/1.1",
                        "Host: localhost", "Connection: close", "", ""), answer(method)));
            }
        }
        fire(requests);
    }

    @Test
    void longManyAndMalformedHeaders() {
        Random random = random(5);
        List<Request> requests = new ArrayList<>();
        for (int size : new int[] { 1_000, 8_000, 15_000, 16_500, 20_000, 40_000, 65_000 }) {
            for (String name : List.of("X-Long", "User-Agent", "Cookie", "X-Request-Id", "Accept", "If-None-Match",
                    "X-Forwarded-For")) {
                requests.add(plain("GET", "/api/users/", "long " + name, name + ": " + "a".repeat(size)));
            }
        }
        for (int count : new int[] { 50, 99, 100, 101, 150, 500, 2_000 }) {
            String[] headers = new String[count];
            for (int i = 0; i < count; i++) {
                headers[i] = "X-Many-" + i + ": " + i;
            }
            requests.add(plain("GET", "/api/users/", count + " headers", headers));
            requests.add(plain("GET", "/api/users/", count + " cookies", "Cookie: " + "c=1; ".repeat(count)));
        }
        for (String header : List.of("Bad Header: x", "X-(): y", "X-\u00dcnicode: y", "NoColon", ": empty name",
                "X-Nul: a\u0000b", "X-Cr: a\rb", "X-Fold: a\r\n folded", "Host : localhost", "X-Space : y",
                "X-Ctl: \u0001\u0002", "X-Del: \u007f", "X-Latin: \u00e9\u00ff", "X-Utf8: " + latin1("\u4e2d\u6587"),
                "\tX-Tab: y", "X-Colon:: y", "Content-Length: 0\r\nContent-Length: 5", "Transfer-Encoding: gzip",
                "Transfer-Encoding: identity", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: bogus",
                "Transfer-Encoding: chunked\r\nContent-Length: 5", "Expect: 100-continue", "Expect: fantasy",
                "Content-Encoding: gzip", "Connection: upgrade\r\nUpgrade: h2c", "Connection: upgrade\r\nUpgrade: "
                        + "websocket", "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA",
                "Range: bytes=0-1", "Range: garbage", "If-Modified-Since: garbage", "If-Unmodified-Since: 0",
                "If-Match: \"" + "9".repeat(30) + "\"", "If-Match: W/\"1\"", "If-Match: *, \"1\"", "If-None-Match: *",
                "If-None-Match: " + "\"1\", ".repeat(1_000) + "\"2\"", "Accept: application/xml", "Accept: text/html",
                "Accept: */*;q=abc", "Accept: garbage", "Accept: a/b/c", "Accept: ;;;", "Accept-Charset: bogus",
                "Accept-Language: ../../", "Accept-Encoding: gzip;q=x", "Authorization: Bearer ' OR 1=1 --",
                "Authorization: Basic %%%", "Origin: null", "Origin: http://evil.example", "X-Request-Id: "
                        + "id".repeat(100), "X-Request-Id: \u0000\u0001", "X-Request-Id: " + latin1("\u202e"),
                "X-Forwarded-For: ' OR 1=1 --", "X-Forwarded-For: 999.999.999.999, [::1", "X-Forwarded-Host: a b",
                "X-Forwarded-Host: evil.example:99999", "X-Forwarded-Host: [::1", "X-Forwarded-Host: localhost:abc",
                "X-Forwarded-Proto: javascript", "X-Forwarded-Proto: ", "X-Forwarded-Port: abc",
                "X-Forwarded-Port: 99999999999", "X-Forwarded-Port: -1", "X-Forwarded-Prefix: /../../",
                "Forwarded: for=;proto=javascript;host=\"", "Forwarded: host=evil.example:0; proto=http",
                "Forwarded: ;;;;,,,,", "X-Forwarded-Ssl: on", "Cookie: JSESSIONID=' OR 1=1",
                "Cookie: =; ==; ;;", "Cookie: $Version=1; a=\"\\\"\"")) {
            requests.add(plain("GET", "/api/users/?limit=1", "header", header));
            requests.add(plain("GET", "/api/users/" + userId + "/", "header on a user", header));
            requests.add(plain("POST", "/api/users/", "header on a write", header,
                    "Content-Type: application/json", "Content-Length: 2", "", "{}"));
        }
        for (String host : List.of("", "evil.example:99999", "[::1", "a b", "localhost:abc", "x".repeat(5_000),
                "localhost\r\nHost: other", "\u00e9", "localhost:-1", "256.256.256.256")) {
            requests.add(new Request("host", wire("GET /api/users/?limit=1 HTTP/1.1", "Host: " + latin1(host),
                    "Connection: close", "", ""), Answer.RESPONSE));
        }
        requests.add(new Request("no host", wire("GET /api/users/ HTTP/1.1", "Connection: close", "", ""),
                Answer.RESPONSE));
        fire(shuffled(random, requests));
    }

    @Test
    void whatTomcatRefusesItselfIsAProblemToo() throws IOException {
        Response version = http.exchange(Request.of("HTTP/2.0", wire("GET /api/users/ HTTP/2.0", "Host: localhost",
                "Connection: close", "", "")));
        Response coding = http.exchange(plain("POST", "/api/users/", "gzip coding", "Transfer-Encoding: gzip",
                "Content-Type: application/json", "", "{}"));
        Response uri = http.exchange(get("invalid URI", "/api/users/%zz/"));

        assertThat(version.status()).isEqualTo(400);
        assertThat(version.text()).contains("The HTTP version is not supported");
        assertThat(coding.status()).isEqualTo(400);
        assertThat(coding.text()).contains("transfer coding");
        assertThat(uri.status()).isEqualTo(400);
        for (Response response : List.of(version, coding, uri)) {
            assertThat(verdictOnProblem(response.text(), 400)).isNull();
            assertThat(response.header("content-type")).startsWith("application/problem+json");
            assertThat(response.header("x-request-id")).isNotBlank();
            assertThat(response.headers().toString() + response.text()).doesNotContainIgnoringCase("tomcat");
        }
    }

    @Test
    void queryStringsThatCannotBeDecodedAre400() throws IOException {
        for (String query : List.of("limit=%zz", "email=%c0%af", "email=%ff", "%=1", "p=1&".repeat(1_001))) {
            Response response = http.exchange(get("query", "/api/users/?" + query));

            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.text()).as(query).contains("The query string could not be decoded");
        }
        assertThat(http.exchange(get("query", "/api/users/?" + "p=1&".repeat(999))).status()).isEqualTo(200);
    }

    @Test
    void headersUpTo16KiBAreReadAndLargerOnesAre431() throws IOException {
        Response fits = http.exchange(plain("GET", "/api/users/", "15 KiB header", "X-Long: " + "a".repeat(15_000)));
        Response tooLarge = http.exchange(plain("GET", "/api/users/", "17 KiB header", "X-Long: " + "a".repeat(17_000)));

        assertThat(fits.status()).isEqualTo(200);
        assertThat(tooLarge.status()).isEqualTo(431);
        assertThat(tooLarge.header("content-type")).startsWith("application/problem+json");
        assertThat(verdictOnProblem(tooLarge.text(), 431)).isNull();
    }

    @Test
    void oddMethods() {
        Random random = random(6);
        List<String> methods = new ArrayList<>(List.of("TRACE", "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY",
                "MOVE", "LOCK", "UNLOCK", "SEARCH", "PURGE", "LINK", "QUERY", "DEBUG", "TRACK", "get", "Get", "post",
                "delete", "HEAD", "OPTIONS", "PATCH", "G@T", "GET/", "\u0000GET", "M".repeat(1_000),
                "M".repeat(20_000), latin1("\u00c9T"), latin1("\ud83d\ude00"), "(", "{}", "\"GET\""));
        for (int i = 0; i < 10; i++) {
            methods.add("X-" + randomToken(random, 1 + random.nextInt(30)));
        }
        List<String> paths = List.of("/api/users/", "/api/users/" + userId + "/", "/nope", "/actuator/health",
                "/actuator/health/readiness", "/v3/api-docs", "/error", "/api/users/1/?limit=1");
        List<Request> requests = new ArrayList<>();
        for (String method : methods) {
            for (int i = 0; i < 3; i++) {
                String path = paths.get(random.nextInt(paths.size()));
                requests.add(new Request("method", wire(method + " " + path + " HTTP/1.1", "Host: localhost",
                        "Connection: close", "", ""), answer(method)));
            }
        }
        requests.add(new Request("connect", wire("CONNECT localhost:80 HTTP/1.1", "Host: localhost:80",
                "Connection: close", "", ""), Answer.RESPONSE));
        requests.add(new Request("connect", wire("CONNECT evil.example:443 HTTP/1.1", "Host: evil.example:443", "",
                ""), Answer.RESPONSE));
        requests.add(new Request("options *", wire("OPTIONS * HTTP/1.1", "Host: localhost", "Connection: close", "",
                ""), Answer.RESPONSE));
        requests.add(new Request("get *", wire("GET * HTTP/1.1", "Host: localhost", "Connection: close", "", ""),
                Answer.RESPONSE));
        requests.add(new Request("trace with body", wire("TRACE /api/users/ HTTP/1.1", "Host: localhost",
                "Cookie: secret=1", "Content-Length: 4", "Connection: close", "", "abcd"), Answer.RESPONSE));
        fire(requests);
    }

    @Test
    void wrongContentTypesAndLengthsAndChunkedBodies() {
        Random random = random(7);
        List<Request> requests = new ArrayList<>();
        byte[] valid = utf8("{\"name\":\"Ada\",\"email\":\"" + unique(random) + "@example.com\"}");
        for (String type : List.of("", "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "multipart/form-data", "application/json; charset=utf-16",
                "application/json; charset=bogus", "application/json; charset=\"", "application/json; charset=",
                "application/json;;", "application/json; q=", "*/*", "application/*", "json", "/", "a/b/c",
                "application/json\u0000", "application/merge-patch+json", "APPLICATION/JSON", "application/json, "
                        + "text/plain", "application/problem+json", "application/vnd.api+json", "text/json",
                "application/json; charset=utf-8; charset=latin1", "application/json; boundary=\"",
                "application/json; charset=UTF-32", "application/json; charset=x-user-defined",
                "application/json; charset=" + "a".repeat(300), "application/" + "x".repeat(5_000))) {
            for (String[] target : List.of(new String[] { "POST", "/api/users/" },
                    new String[] { "PUT", "/api/users/" + userId + "/" },
                    new String[] { "PATCH", "/api/users/" + userId + "/" })) {
                requests.add(body(target[0], target[1], type, "content type", valid));
            }
        }
        requests.add(plain("POST", "/api/users/", "no content type", "Content-Length: " + valid.length, "",
                new String(valid, StandardCharsets.ISO_8859_1)));
        requests.add(body("POST", "/api/users/", "application/x-www-form-urlencoded", "form",
                utf8("name=Ada&email=ada%40example.com")));
        requests.add(body("POST", "/api/users/", "multipart/form-data; boundary=b", "multipart",
                utf8("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--b--\r\n")));
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            String path = method.equals("POST") ? "/api/users/?limit=%zz" : "/api/users/" + userId + "/?a=%zz";
            requests.add(body(method, path, "application/x-www-form-urlencoded", "malformed form",
                    utf8("name=%zz&email=%&%%=1&" + "x=1&".repeat(2_000))));
        }
        requests.add(get("too many parameters", "/api/users/?" + "p=1&".repeat(1_500)));
        requests.add(get("many email parameters", "/api/users/?" + "email=a%40example.com&".repeat(300)));
        for (String length : List.of("99999999999999999999", "9223372036854775807", "9223372036854775808", "1e3",
                "-1", "abc", "", " 5", "5, 5", "0x10", "+5", "100000", "65537", "0")) {
            requests.add(plain("POST", "/api/users/", "content length", "Content-Type: application/json",
                    "Content-Length: " + length, "", "{}   "));
            requests.add(plain("GET", "/api/users/", "content length on a read", "Content-Length: " + length, "",
                    ""));
        }
        requests.add(plain("POST", "/api/users/", "two lengths", "Content-Type: application/json",
                "Content-Length: 2", "Content-Length: 3", "", "{} "));
        requests.add(plain("POST", "/api/users/", "length and chunked", "Content-Type: application/json",
                "Content-Length: 2", "Transfer-Encoding: chunked", "", "2\r\n{}\r\n0\r\n\r\n"));
        requests.add(plain("POST", "/api/users/", "expect with too large a length", "Content-Type: application/json",
                "Content-Length: 100000", "Expect: 100-continue", "", ""));
        for (int size : new int[] { 1_000, 64 * 1024, 64 * 1024 + 1, 70_000, 300_000, 1_000_000 }) {
            requests.add(chunked("chunked " + size, filler(size), 1 + random.nextInt(8_192)));
        }
        for (String chunks : List.of("zz\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
                "-1\r\n{}\r\n0\r\n\r\n", "2;a=b\r\n{}\r\n0\r\n\r\n", "2;" + "x".repeat(10_000) + "\r\n{}\r\n0\r\n\r\n",
                "2\r\n{}\r\n0\r\nX-Trailer: " + "t".repeat(20_000) + "\r\n\r\n", "1\r\n{}\r\n0\r\n\r\n",
                "2\n{}\n0\n\n", "2\r\n{}0\r\n\r\n", " 2\r\n{}\r\n0\r\n\r\n", "2 \r\n{}\r\n0\r\n\r\n",
                "0002\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n0\r\nContent-Length: 5\r\n\r\n", "\r\n\r\n", "0\r\n\r\n")) {
            requests.add(plain("POST", "/api/users/", "malformed chunks", "Content-Type: application/json",
                    "Transfer-Encoding: chunked", "", chunks));
        }
        fire(requests);
    }

    @Test
    void brokenRequestLines() {
        Random random = random(8);
        List<String> lines = new ArrayList<>(List.of("GET /api/users/ HTTP/1.0", "GET /api/users/ HTTP/2.0",
                "GET /api/users/ HTTP/1.2", "GET /api/users/ HTTP/9.9", "GET /api/users/ HTTP/1",
                "GET /api/users/ HTTP/1.1.1", "GET /api/users/ http/1.1", "GET /api/users/ HTTP/1.1 extra",
                "GET  /api/users/  HTTP/1.1", "GET\t/api/users/\tHTTP/1.1", "GET /api/users/ HTTP/1.1 ",
                " GET /api/users/ HTTP/1.1", "GET /api/users/ FTP/1.1", "GET /api/users/ HTTP/01.1",
                "GET http://localhost/api/users/ HTTP/1.1", "GET http://evil.example/api/users/ HTTP/1.1",
                "GET https://localhost:99999/ HTTP/1.1", "GET http://user:pass@localhost/api/users/ HTTP/1.1",
                "GET //api/users/ HTTP/1.1", "GET api/users HTTP/1.1", "GET ?a=b HTTP/1.1",
                "GET /api/users/#x HTTP/1.1",
                "GET /api/users/?a=b#x HTTP/1.1", "GET /api/users/\u0000 HTTP/1.1", "GET /\u00ff HTTP/1.1",
                "GET / HTTP/1.1\u0000", "GET", "HTTP/1.1", "/api/users/ HTTP/1.1", "GET /api/users/ HTTP/",
                "GET /api/users/ HTTP/1.1\r", "GET /a\rb HTTP/1.1", "PRI * HTTP/2.0"));
        for (int length : new int[] { 2_000, 8_000, 15_000, 17_000, 30_000, 70_000 }) {
            lines.add("GET /api/users/?email=" + "a".repeat(length) + " HTTP/1.1");
            lines.add("GET /" + "p".repeat(length) + " HTTP/1.1");
        }
        List<Request> requests = new ArrayList<>();
        for (String line : lines) {
            requests.add(new Request("request line", wire(line, "Host: localhost", "Connection: close", "", ""),
                    Answer.RESPONSE));
        }
        for (String path : List.of("/", "/api/users/", "/nope", "/api/users/%zz", "/api/users/?limit=0")) {
            requests.add(new Request("HTTP/0.9", wire("GET " + path, ""), Answer.HTTP_09));
        }
        requests.add(Request.of("lone LFs", utf8("GET /api/users/ HTTP/1.1\nHost: localhost\nConnection: close\n\n")));
        requests.add(Request.of("leading blank lines", utf8("\r\n\r\nGET /api/users/ HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n")));
        requests.add(new Request("HTTP/2 preface", utf8("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                Answer.RESPONSE_OR_CLOSE));
        requests.add(Request.of("TLS hello", concat(bytes(0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03,
                0x03), randomBytes(random, 100), utf8("\r\n\r\n"))));
        for (int i = 0; i < 30; i++) {
            byte[] junk = i % 2 == 0 ? randomBytes(random, 1 + random.nextInt(200))
                    : utf8(randomToken(random, 1 + random.nextInt(10)) + " " + randomToken(random, 20));
            requests.add(new Request("random request line", concat(junk, utf8("\r\nHost: localhost\r\n\r\n")),
                    Answer.HTTP_09));
        }
        fire(requests);
    }

    // Sending and judging

    /** Sends each request and fails with every bad answer, after all were sent. */
    void fire(List<Request> requests) {
        assertThat(requests).hasSizeLessThanOrEqualTo(MAX_REQUESTS_PER_FAMILY);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        long start = System.nanoTime();
        for (Request request : requests) {
            try {
                Response response = http.exchange(request);
                statuses.merge(response.status(), 1, Integer::sum);
                String verdict = verdict(request, response);
                if (verdict != null) {
                    failures.add(verdict + ": " + request.describe() + "\n    -> " + response.status() + " "
                            + response.header("content-type") + " " + abbreviate(response.text()));
                }
            }
            catch (IOException | RuntimeException ex) {
                statuses.merge(0, 1, Integer::sum);
                failures.add("no response (" + ex.getMessage() + "): " + request.describe());
            }
        }
        System.out.println("Sent " + requests.size() + " hostile requests in "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; statuses " + statuses);
        assertThat(failures).as("%d of %d requests were answered badly (seed %d):%n%s", failures.size(),
                requests.size(), SEED, String.join("\n", failures.subList(0, Math.min(failures.size(), 40))))
            .isEmpty();
    }

    /** @return what is wrong with the response, or null */
    static @Nullable String verdict(Request request, Response response) {
        if (request.answer() == Answer.HTTP_09 && response.status() == 0) {
            return verdictOnHttp09(response);
        }
        if (request.answer() == Answer.RESPONSE_OR_CLOSE && response.status() == 0) {
            return null;
        }
        if (response.status() >= 500) {
            return "server error";
        }
        String server = response.header("server");
        if (server != null && !server.isBlank()) {
            return "names the server";
        }
        if (response.status() < 400) {
            return null;
        }
        String type = response.header("content-type");
        if (type == null || !type.startsWith("application/problem+json")) {
            return "not a problem";
        }
        if (request.answer() == Answer.HEADERS) {
            return null;
        }
        return verdictOnProblem(response.text(), response.status());
    }

    /** HTTP/0.9 has no status line: an error shows only in the body, which must then be a problem all the same. */
    static @Nullable String verdictOnHttp09(Response response) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        }
        catch (JacksonException ex) {
            return "HTTP/0.9 answer is not JSON";
        }
        JsonNode status = body.get("status");
        if (body.get("title") == null || status == null || !status.isInt()) {
            return null;
        }
        return status.intValue() >= 500 ? "server error" : verdictOnProblem(response.text(), status.intValue());
    }

    static @Nullable String verdictOnProblem(String text, int expectedStatus) {
        JsonNode problem;
        try {
            problem = JSON.readTree(text);
        }
        catch (JacksonException ex) {
            return "not JSON";
        }
        if (!problem.isObject()) {
            return "not a JSON object";
        }
        for (String field : List.of("type", "title", "detail")) {
            JsonNode value = problem.get(field);
            if (value == null || !value.isString() || value.asString().isBlank()) {
                return "no " + field;
            }
        }
        JsonNode status = problem.get("status");
        if (status == null || !status.isInt() || status.intValue() != expectedStatus) {
            return "wrong status in the problem";
        }
        if (REVEALING.matcher(text).find()) {
            return "reveals the server's insides";
        }
        return null;
    }

    // Building requests

    static Answer answer(String method) {
        return method.equals("HEAD") ? Answer.HEADERS : Answer.RESPONSE;
    }

    Random random(int family) {
        return new Random(SEED * 31 + family);
    }

    /** A write of a body to a route that takes one, mostly as JSON. */
    Request write(Random random, String label, byte[] body) {
        String[][] targets = { { "POST", "/api/users/" }, { "PUT", "/api/users/" + userId + "/" },
                { "PATCH", "/api/users/" + userId + "/" } };
        String[] target = targets[random.nextInt(targets.length)];
        String type = random.nextInt(10) == 0 ? "application/merge-patch+json" : "application/json";
        return body(target[0], target[1], type, label, body);
    }

    static Request post(String label, String json) {
        return body("POST", "/api/users/", "application/json", label, utf8(json));
    }

    static Request get(String label, String target) {
        return plain("GET", target, label);
    }

    static Request body(String method, String target, String contentType, String label, byte[] body) {
        byte[] head = wire(method + " " + target + " HTTP/1.1", "Host: localhost", "Connection: close",
                "Content-Type: " + contentType, "Content-Length: " + body.length, "", "");
        return Request.of(label, concat(head, body));
    }

    /**
     * A request with extra header lines; a line that is empty ends the headers and what follows is the body, as
     * given.
     */
    static Request plain(String method, String target, String label, String... lines) {
        List<String> all = new ArrayList<>(List.of(method + " " + target + " HTTP/1.1", "Host: localhost",
                "Connection: close"));
        all.addAll(List.of(lines));
        if (!all.contains("")) {
            all.add("");
            all.add("");
        }
        return new Request(label, wire(all.toArray(String[]::new)), answer(method));
    }

    static Request chunked(String label, byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(wire("POST /api/users/ HTTP/1.1", "Host: localhost", "Connection: close",
                "Content-Type: application/json", "Transfer-Encoding: chunked", "", ""));
        for (int offset = 0; offset < body.length; offset += chunkSize) {
            int length = Math.min(chunkSize, body.length - offset);
            out.writeBytes(utf8(Integer.toHexString(length) + "\r\n"));
            out.write(body, offset, length);
            out.writeBytes(utf8("\r\n"));
        }
        out.writeBytes(utf8("0\r\n\r\n"));
        return Request.of(label, out.toByteArray());
    }

    /** Lines joined with CRLF, each character one byte (ISO-8859-1), so any byte can be written. */
    static byte[] wire(String... lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A JSON body of a user with the text in one place: name, email or a key. */
    String userJson(Random random, String field, String text) {
        String email = unique(random) + "@example.com";
        return switch (field) {
            case "name" -> "{\"name\":\"" + text + "\",\"email\":\"" + email + "\"}";
            case "email" -> "{\"name\":\"U\",\"email\":\"" + text + "@example.com\"}";
            default -> "{\"" + text + "\":1,\"name\":\"U\",\"email\":\"" + email + "\"}";
        };
    }

    static String unique(Random random) {
        return "u" + Long.toHexString(random.nextLong() & Long.MAX_VALUE) + System.nanoTime();
    }

    static String manyKeys(int count) {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < count; i++) {
            keys.append("\"k").append(i).append("\":").append(i).append(',');
        }
        return keys.toString();
    }

    /** JSON string content with every control character, quote, backslash and surrogate escaped. */
    static String escapeJson(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                escaped.append('\\').append(c);
            }
            else if (c < 0x20 || Character.isSurrogate(c) || c >= 0x7f) {
                escaped.append(String.format("\\u%04x", (int) c));
            }
            else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** JSON string content with only quotes and backslashes escaped: control characters go in raw. */
    static String rawJson(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Percent-encoded as UTF-8 (a lone surrogate becomes {@code ?}). */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The text as a header value can carry it: UTF-8 bytes, CR and LF dropped so the request stays one. */
    static String headerSafe(String text) {
        return latin1(text.replace("\r", "").replace("\n", ""));
    }

    /** The UTF-8 bytes of the text, one character per byte, for {@link #wire}. */
    static String latin1(String text) {
        return new String(utf8(text), StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] randomJsonish(Random random, int length) {
        String alphabet = "{}[]\":,\\ \t\n0123456789.eE+-truefalsnamemail@x";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return utf8(text.toString());
    }

    static byte[] randomUtf8Traps(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"name\":\""));
        for (int i = random.nextInt(20); i >= 0; i--) {
            out.writeBytes(RAW_BYTES.get(random.nextInt(RAW_BYTES.size())));
            out.writeBytes(utf8(UNICODE.get(random.nextInt(UNICODE.size()))));
        }
        out.writeBytes(utf8("\",\"email\":\"a@example.com\"}"));
        return out.toByteArray();
    }

    static byte[] mutate(Random random, byte[] original) {
        List<Byte> bytes = new ArrayList<>();
        for (byte b : original) {
            bytes.add(b);
        }
        for (int i = 1 + random.nextInt(4); i > 0 && !bytes.isEmpty(); i--) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(4)) {
                case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                case 1 -> bytes.add(at, (byte) random.nextInt(256));
                case 2 -> bytes.remove(at);
                default -> bytes.set(at, "{}[]\",:\\".getBytes(StandardCharsets.US_ASCII)[random.nextInt(8)]);
            }
        }
        byte[] mutated = new byte[bytes.size()];
        for (int i = 0; i < mutated.length; i++) {
            mutated[i] = bytes.get(i);
        }
        return mutated;
    }

    static String randomToken(Random random, int length) {
        String alphabet = "!#$%&'*+-.^_`|~ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < length; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    static byte[] filler(int size) {
        String prefix = "{\"name\":\"";
        String suffix = "\",\"email\":\"f@example.com\"}";
        return utf8(prefix + "f".repeat(Math.max(0, size - prefix.length() - suffix.length())) + suffix);
    }

    static <T> List<T> shuffled(Random random, List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.shuffle(copy, random);
        return copy;
    }

    static String abbreviate(String text) {
        String oneLine = text.replaceAll("[\\r\\n]+", " ");
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    HttpResponse<String> send(String method, String path, @Nullable String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
