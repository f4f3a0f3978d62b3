package com.helloapi.security;

import java.util.ArrayList;
import java.util.List;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** A wrong AUTH_* or CORS_* setting stops the container's start with one report that names it. */
@ExtendWith(OutputCaptureExtension.class)
class SecuritySettingsIntegrationTest {

    /** Starts the web application on a free port against the test database, with these settings on top. */
    static void start(String... settings) {
        List<String> args = new ArrayList<>();
        TestDatabase.shared().properties().forEach((name, value) -> args.add("--" + name + "=" + value));
        args.add("--helloapi.cursor-secret=a-test-secret-of-some-length");
        args.add("--server.port=0");
        args.addAll(List.of(settings));
        assertThatException().isThrownBy(() -> new SpringApplicationBuilder(HelloApi.class)
            .web(WebApplicationType.SERVLET)
            .run(args.toArray(String[]::new)));
    }

    static void assertOneReport(CapturedOutput output, String problem) {
        assertThat(output).contains("APPLICATION FAILED TO START").contains("Invalid settings: " + problem);
        assertThat(output.getAll()).doesNotContainPattern("\\sat [a-z]+\\.[a-z]+\\.").doesNotContain("stack_trace");
    }

    @Test
    void anIssuerThatIsNotAUrl(CapturedOutput output) {
        start("--AUTH_ISSUER_URI=cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool");

        assertOneReport(output, "AUTH_ISSUER_URI must be an https:// (or http://) URL");
    }

    @Test
    void protectedReadsWithoutAnIssuer(CapturedOutput output) {
        start("--AUTH_PROTECT_READS=true");

        assertOneReport(output, "AUTH_PROTECT_READS is true but AUTH_ISSUER_URI is not set");
    }

    @Test
    void anOriginWithAPath(CapturedOutput output) {
        start("--CORS_ALLOWED_ORIGINS=https://app.example.com/index.html");

        assertOneReport(output, "CORS_ALLOWED_ORIGINS must list origins");
    }
}
