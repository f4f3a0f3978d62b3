package com.helloapi.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.swagger.v3.core.util.Yaml31;
import io.swagger.v3.oas.models.OpenAPI;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * The OpenAPI description at {@code /v3/api-docs} (and Swagger UI) comes from {@code openapi/users-api.yaml}: the
 * adapter reads raw JSON bodies and answers with problem details, which springdoc cannot infer from its signatures.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /**
     * Read when the description is first asked for, not at start-up, where parsing it cost about 80 ms of the time
     * to ready; OpenApiDescriptionIntegrationTest proves the file parses and matches the routes.
     */
    @Bean
    OpenApiCustomizer usersApiDescription() {
        return openApi -> {
            OpenAPI description = read("openapi/users-api.yaml");
            openApi.setOpenapi(description.getOpenapi());
            openApi.setInfo(description.getInfo());
            openApi.setPaths(description.getPaths());
            openApi.setComponents(description.getComponents());
        };
    }

    private static OpenAPI read(String location) {
        try (InputStream yaml = new ClassPathResource(location).getInputStream()) {
            return Yaml31.mapper().readValue(yaml, OpenAPI.class);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + location, ex);
        }
    }
}
