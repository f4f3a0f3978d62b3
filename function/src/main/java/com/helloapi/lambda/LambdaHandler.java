package com.helloapi.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.crac.Core;
import org.crac.Resource;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.cloud.function.serverless.web.FunctionClassUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The API's Lambda handler: API Gateway REST (v1), HTTP API (v2) and ALB events go through the same filters,
 * routes and error handling as in the container. It starts the application named by {@code MAIN_CLASS}, as
 * aws-serverless-java-container's SpringDelegatingLambdaContainerHandler does, on Spring Cloud Function's serverless
 * web server (no Tomcat), but translates events and chains filters itself, as a servlet container would: the
 * delegating handler's translation assumes JSON when no Content-Type was sent, drops the query string and the
 * Host, answers HTTP API 2.0 events with multiValueHeaders (which that format ignores), returns bodies for HEAD and
 * runs filters in hash order without error dispatch. Under SnapStart it primes the request path before the snapshot.
 */
public class LambdaHandler implements RequestStreamHandler, Resource {

    /** A read that touches every layer (JSON, MVC, the pool, PostgreSQL) and writes nothing. */
    static final String PRIMING_EVENT = """
            {"version":"2.0","routeKey":"$default","rawPath":"/api/users/","rawQueryString":"limit=1",
             "headers":{"host":"localhost","accept":"application/json","x-request-id":"snapstart-priming"},
             "requestContext":{"http":{"method":"GET","path":"/api/users/","protocol":"HTTP/1.1",
             "sourceIp":"127.0.0.1"},"domainName":"localhost","stage":"$default"},"isBase64Encoded":false}""";

    private static final Log log = LogFactory.getLog(LambdaHandler.class);

    private final ConfigurableApplicationContext context;

    private final DispatcherServlet dispatcher;

    private final ServletFilterChain filters;

    private final String errorPath;

    /** Lambda's constructor: the application class comes from {@code MAIN_CLASS}. */
    public LambdaHandler() {
        this(FunctionClassUtils.getStartClass());
    }

    public LambdaHandler(Class<?> application) {
        this.context = SpringApplication.run(application);
        if (!(this.context instanceof ServletWebServerApplicationContext web)) {
            throw new IllegalStateException(application.getName() + " did not start as a servlet web application; "
                    + "is spring-cloud-function-serverless-web on the classpath?");
        }
        this.dispatcher = web.getBean(DispatcherServlet.class);
        this.filters = new ServletFilterChain(web.getBeanFactory(), this.dispatcher, "dispatcherServlet");
        log.info("Lambda handler ready; servlet filters in order: " + this.filters.filterNames());
        this.errorPath = this.context.getEnvironment().getProperty("server.error.path", "/error");
        Core.getGlobalContext().register(this);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, @Nullable Context lambdaContext)
            throws IOException {
        output.write(handle(ApiGatewayEvent.parse(input.readAllBytes())));
    }

    byte[] handle(ApiGatewayEvent event) {
        LambdaHttpRequest request = new LambdaHttpRequest(this.dispatcher.getServletContext(), event);
        LambdaHttpResponse response = new LambdaHttpResponse();
        try {
            if ("TRACE".equals(event.method())) {
                // Tomcat refuses TRACE (allowTrace=false) before any filter; the servlet would echo the headers back.
                response.setHeader("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
                response.sendError(405, "TRACE method is not allowed");
            }
            else {
                this.filters.service(request, response);
            }
        }
        catch (Exception ex) {
            // What escapes the filters and the dispatcher: a servlet container logs it and renders a 500 page.
            log.error("Request processing failed: " + event.method() + " " + event.path(), ex);
            if (!response.isCommitted()) {
                request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, ex);
                request.setAttribute(RequestDispatcher.ERROR_EXCEPTION_TYPE, ex.getClass());
                response.sendError(500);
            }
        }
        if (response.errorStatus() != null) {
            renderErrorPage(request, response);
        }
        response.flushBuffer();
        return ApiGatewayResponse.write(event, response);
    }

    /** As a servlet container does after sendError: an ERROR dispatch to the error path, through the filters. */
    private void renderErrorPage(LambdaHttpRequest request, LambdaHttpResponse response) {
        int status = response.errorStatus();
        request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, status);
        request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, request.getRequestURI());
        request.setAttribute(RequestDispatcher.ERROR_SERVLET_NAME, "dispatcherServlet");
        if (response.errorMessage() != null) {
            request.setAttribute(RequestDispatcher.ERROR_MESSAGE, response.errorMessage());
        }
        request.setDispatcherType(DispatcherType.ERROR);
        if ("TRACE".equals(request.getMethod())) {
            // The servlet would answer TRACE by echoing the request; Tomcat's error page for it is a problem.
            request.setMethod("GET");
        }
        request.setRequestURI(this.errorPath);
        request.setPathInfo(this.errorPath);
        response.prepareErrorPage();
        try {
            this.filters.service(request, response);
        }
        catch (Exception ex) {
            log.error("The error page failed for status " + status, ex);
        }
    }

    /**
     * Sends one read through the whole request path (event parsing, filters, MVC, Jackson, the connection pool and
     * PostgreSQL), so that a SnapStart snapshot holds loaded and initialized classes rather than cold ones.
     *
     * @return the status it was answered with
     */
    public int prime() {
        long start = System.nanoTime();
        byte[] answer = handle(ApiGatewayEvent.parse(PRIMING_EVENT.getBytes(StandardCharsets.UTF_8)));
        int status = ApiGatewayResponse.statusOf(answer);
        log.info("Primed the request path: GET /api/users/ answered " + status + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        return status;
    }

    /**
     * Before SnapStart's snapshot: prime. It runs before Spring's own checkpoint hook (resources registered later are
     * notified first), which then stops the context's lifecycle beans, Boot's HikariCheckpointRestoreLifecycle among
     * them: the pool is suspended and its connections closed, so no socket is frozen into the snapshot.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        try {
            prime();
        }
        catch (RuntimeException ex) {
            log.warn("Priming failed; the snapshot is taken unprimed: " + ex.getMessage());
        }
    }

    /** After restore, Spring restarts the lifecycle beans: the pool resumes and opens connections on demand. */
    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        log.info("Restored from a SnapStart snapshot");
    }

    ConfigurableApplicationContext applicationContext() {
        return this.context;
    }
}
