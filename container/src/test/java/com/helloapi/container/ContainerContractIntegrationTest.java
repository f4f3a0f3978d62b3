package com.helloapi.container;

import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The users contract over real HTTP against the container: Tomcat on a random port. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ContainerContractIntegrationTest extends UsersContract {

    @LocalServerPort
    int port;

    private HttpTarget target;

    @BeforeEach
    void connect() {
        target = new HttpTarget(port);
    }

    @Override
    protected Target target() {
        return target;
    }
}
