package com.helloapi.container;

import java.util.ArrayList;
import java.util.List;

import com.helloapi.HelloApi;
import com.helloapi.container.OpenApiConformance.Exchange;
import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The users contract over real HTTP against the container: Tomcat on a random port. Every response of every case
 * must also be one the OpenAPI description declares ({@link OpenApiConformance}), so the two cannot drift apart.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ContainerContractIntegrationTest extends UsersContract {

    private static final OpenApiConformance DESCRIPTION = OpenApiConformance.load();

    @LocalServerPort
    int port;

    private HttpTarget target;

    private final List<Exchange> exchanges = new ArrayList<>();

    @BeforeEach
    void connect() {
        target = new HttpTarget(port, (request, response) -> exchanges.add(new Exchange(request, response)));
    }

    @Override
    protected Target target() {
        return target;
    }

    @AfterEach
    void everyResponseIsDescribed() {
        assertThat(exchanges).as("exchanges recorded").isNotEmpty();
        DESCRIPTION.assertConforms(exchanges);
    }
}
