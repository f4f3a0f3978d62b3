package com.helloapi.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

import com.amazonaws.serverless.proxy.internal.testutils.MockLambdaContext;
import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.function.adapter.aws.FunctionInvoker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One function invoked directly, as {@code aws lambda invoke} does with Spring Cloud Function's FunctionInvoker as
 * the handler and SPRING_CLOUD_FUNCTION_DEFINITION=createUser: a JSON payload in, the user out, and the payload (an
 * e-mail address) nowhere in the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class FunctionInvokerIntegrationTest {

    @Test
    void createsAUserFromAJsonPayloadWithoutLoggingIt(CapturedOutput output) throws Exception {
        LambdaTargets.handler();
        String email = "invoked-" + UUID.randomUUID() + "@example.com";
        System.setProperty("MAIN_CLASS", HelloApi.class.getName());
        System.setProperty("spring.cloud.function.definition", "createUser");
        FunctionInvoker invoker;
        try {
            invoker = new FunctionInvoker();
        }
        finally {
            System.clearProperty("MAIN_CLASS");
            System.clearProperty("spring.cloud.function.definition");
        }

        ByteArrayOutputStream response = new ByteArrayOutputStream();
        invoker.handleRequest(new ByteArrayInputStream(("{\"name\":\" Ada \",\"email\":\"" + email + "\"}")
            .getBytes(StandardCharsets.UTF_8)), response, new MockLambdaContext());

        JsonNode user = JsonMapper.builder().build().readTree(response.toByteArray());
        assertThat(user.get("id").asLong()).isPositive();
        assertThat(user.get("name").asString()).isEqualTo("Ada");
        assertThat(user.get("email").asString()).isEqualTo(email);
        try (Connection connection = TestDatabase.shared().connect();
                PreparedStatement query = connection.prepareStatement("SELECT name FROM users WHERE id = ?")) {
            query.setLong(1, user.get("id").asLong());
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString("name")).isEqualTo("Ada");
            }
        }
        assertThat(output.getAll()).contains("Started HelloApi").doesNotContain(email);
    }
}
