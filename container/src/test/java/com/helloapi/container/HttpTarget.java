package com.helloapi.container;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.contract.HttpExchange.Response;
import com.helloapi.contract.HttpExchange.Target;

/** The contract's requests sent over HTTP/1.1 to a server on localhost; each exchange is handed to a recorder. */
final class HttpTarget implements Target {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final int port;

    private final BiConsumer<Request, Response> recorder;

    HttpTarget(int port) {
        this(port, (request, response) -> {
        });
    }

    HttpTarget(int port, BiConsumer<Request, Response> recorder) {
        this.port = port;
        this.recorder = recorder;
    }

    @Override
    public Response send(Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + request.path()))
            .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8));
        request.headers().forEach(builder::header);
        try {
            HttpResponse<String> response = client.send(builder.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Response answer = new Response(response.statusCode(), response.headers().map(), response.body());
            recorder.accept(request, answer);
            return answer;
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
