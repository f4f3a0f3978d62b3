package com.helloapi.container;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The users contract over real HTTP against the container: Tomcat on a random port. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ContainerContractIntegrationTest extends UsersContract {

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    protected Target target() {
        return this::exchange;
    }

    private Response exchange(Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + request.path()))
            .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8));
        request.headers().forEach(builder::header);
        try {
            HttpResponse<String> response = client.send(builder.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.headers().map(), response.body());
        }
        catch (IOException ex) {
            throw new IllegalStateException("Request failed: " + request, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
