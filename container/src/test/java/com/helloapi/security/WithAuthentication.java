package com.helloapi.security;


import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The container (Tomcat on a random port) with authentication on against the {@link TestIssuer}, an audience, and
 * two allowed browser origins: set as the environment variables a deployment would use. Subclasses share one
 * application context.
 */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class WithAuthentication {

    static final String ALLOWED_ORIGIN = "https://app.example.com";

    @DynamicPropertySource
    static void authentication(DynamicPropertyRegistry registry) {
        registry.add("AUTH_ISSUER_URI", () -> TestIssuer.shared().uri());
        registry.add("AUTH_AUDIENCE", () -> TestIssuer.AUDIENCE);
        registry.add("CORS_ALLOWED_ORIGINS", () -> ALLOWED_ORIGIN + ", http://localhost:3000");
    }

    @LocalServerPort
    int port;

    Api api;

    final TestIssuer issuer = TestIssuer.shared();

    @BeforeEach
    void emptyUsers() {
        api = new Api(port);
        TestDatabase.shared().emptyUsers();
    }
}
