package com.helloapi.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.amazonaws.serverless.exceptions.ContainerInitializationException;
import com.amazonaws.serverless.exceptions.InvalidRequestEventException;
import com.amazonaws.serverless.proxy.InitializationWrapper;
import com.amazonaws.serverless.proxy.internal.LambdaContainerHandler;
import com.amazonaws.serverless.proxy.internal.jaxrs.AwsHttpApiV2SecurityContext;
import com.amazonaws.serverless.proxy.internal.servlet.AwsHttpApiV2HttpServletRequestReader;
import com.amazonaws.serverless.proxy.internal.servlet.AwsHttpApiV2ProxyHttpServletRequest;
import com.amazonaws.serverless.proxy.internal.servlet.AwsHttpServletResponse;
import com.amazonaws.serverless.proxy.internal.servlet.AwsProxyHttpServletResponseWriter;
import com.amazonaws.serverless.proxy.model.AwsProxyResponse;
import com.amazonaws.serverless.proxy.model.ContainerConfig;
import com.amazonaws.serverless.proxy.model.HttpApiV2ProxyRequest;
import com.amazonaws.serverless.proxy.spring.SpringBootAwsProxyExceptionHandler;
import com.amazonaws.serverless.proxy.spring.SpringBootLambdaContainerHandler;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.SecurityContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.crac.Core;
import org.crac.Resource;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.WebApplicationType;
import org.springframework.cloud.function.serverless.web.FunctionClassUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * The API's Lambda handler for HTTP API payload 2.0 events: aws-serverless-java-container's
 * SpringBootLambdaContainerHandler on the application named by {@code MAIN_CLASS}, plus the fixes for its defects
 * that this API would notice (numbered as in docs/lambda-stock-handler-issues.md; decision 9 says why no more), and
 * SnapStart priming.
 */
public class LambdaHandler implements RequestStreamHandler, Resource {

    /** A read that touches every layer (JSON, MVC, the pool, PostgreSQL) and writes nothing. */
    static final String PRIMING_EVENT = """
            {"version":"2.0","routeKey":"$default","rawPath":"/api/users/","rawQueryString":"limit=1",
             "headers":{"host":"localhost","accept":"application/json","x-request-id":"snapstart-priming"},
             "requestContext":{"http":{"method":"GET","path":"/api/users/","protocol":"HTTP/1.1",
             "sourceIp":"127.0.0.1"},"domainName":"localhost","stage":"$default"},"isBase64Encoded":false}""";

    private static final Log log = LogFactory.getLog(LambdaHandler.class);

    private static final ObjectMapper JSON = LambdaContainerHandler.getObjectMapper();

    private final Container container;

    /** Lambda's constructor: the application class comes from {@code MAIN_CLASS}. */
    public LambdaHandler() {
        this(FunctionClassUtils.getStartClass());
    }

    public LambdaHandler(Class<?> application) {
        // As a servlet container reads them: ?Limit=0 is not ?limit=0.
        LambdaContainerHandler.getContainerConfig().setQueryStringCaseSensitive(true);
        this.container = new Container(application);
        // RequestLogFilter logs every request already.
        this.container.setLogFormatter(null);
        try {
            this.container.initialize();
        }
        catch (ContainerInitializationException ex) {
            throw new IllegalStateException(application.getName() + " did not start", ex);
        }
        Core.getGlobalContext().register(this);
    }

    /** Defect 3: payload 2.0 reads only headers, one value each, and cookies, not the library's multiValueHeaders. */
    @Override
    public void handleRequest(InputStream input, OutputStream output, @Nullable Context lambdaContext)
            throws IOException {
        AwsProxyResponse response = this.container.proxy(JSON.readValue(input, HttpApiV2ProxyRequest.class),
                lambdaContext);
        ObjectNode answer = JSON.createObjectNode().put("statusCode", response.getStatusCode());
        ObjectNode headers = answer.putObject("headers");
        ArrayNode cookies = answer.putArray("cookies");
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((name, values) -> {
                if (HttpHeaders.SET_COOKIE.equalsIgnoreCase(name)) {
                    values.forEach(cookies::add);
                }
                else {
                    headers.put(name, String.join(", ", values));
                }
            });
        }
        answer.put("body", response.getBody() == null ? "" : response.getBody());
        answer.put("isBase64Encoded", response.isBase64Encoded());
        output.write(JSON.writeValueAsBytes(answer));
    }

    /**
     * Sends one read through the whole request path (event parsing, filters, MVC, Jackson, the connection pool and
     * PostgreSQL), so that a SnapStart snapshot holds loaded and initialized classes rather than cold ones.
     *
     * @return the status it was answered with
     */
    public int prime() {
        long start = System.nanoTime();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handleRequest(new ByteArrayInputStream(PRIMING_EVENT.getBytes(StandardCharsets.UTF_8)), output, null);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        int status = JSON.readTree(output.toByteArray()).path("statusCode").asInt();
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
        return (ConfigurableApplicationContext) WebApplicationContextUtils
            .getRequiredWebApplicationContext(this.container.getServletContext());
    }

    /**
     * The stock handler with a servlet container's answers where it has none. A subclass, not the builder's product:
     * SpringBootProxyHandlerBuilder is final, and handleRequest is the one hook around the filter chain.
     */
    private static final class Container
            extends SpringBootLambdaContainerHandler<HttpApiV2ProxyRequest, AwsProxyResponse> {

        /** Spring Boot's error path, where ProblemErrorController answers. */
        private static final String ERROR_PATH = "/error";

        Container(Class<?> application) {
            super(HttpApiV2ProxyRequest.class, AwsProxyResponse.class, new QueryTolerantReader(),
                    new AwsProxyHttpServletResponseWriter(true), Container::securityContext,
                    new SpringBootAwsProxyExceptionHandler(), application, new InitializationWrapper(),
                    WebApplicationType.SERVLET);
        }

        @Override
        protected void handleRequest(HttpServletRequest request, AwsHttpServletResponse response, Context context)
                throws Exception {
            // Defect 10: the stock filter chain manager caches a chain per distinct path, without bound; a new one
            // per request builds the chain each time, as Tomcat does.
            setServletContext(getServletContext());
            HttpApiV2ProxyRequest event = ((AwsHttpApiV2ProxyHttpServletRequest) request).getRequest();
            boolean head = "HEAD".equals(request.getMethod());
            if ("TRACE".equals(request.getMethod())) {
                // Defect 9: refused before any filter, as Tomcat does (allowTrace=false); its error page as a GET,
                // since the servlet would echo a TRACE.
                response.setHeader(HttpHeaders.ALLOW, "HEAD, DELETE, POST, GET, OPTIONS, PUT");
                response.sendError(405);
                event.getRequestContext().getHttp().setMethod("GET");
            }
            else {
                try {
                    super.handleRequest(request, response, context);
                }
                catch (Exception ex) {
                    // Defect 5: a servlet container logs what escapes the filters and answers with a 500 page.
                    log.error("Request processing failed: " + request.getMethod() + " " + request.getRequestURI(), ex);
                    if (!response.isCommitted()) {
                        request.setAttribute(RequestDispatcher.ERROR_EXCEPTION, ex);
                        response.sendError(500);
                    }
                }
            }
            if (request.getDispatcherType() == DispatcherType.ERROR) {
                // Defect 4: after sendError (the stock one marks the request), the error page through the filters.
                request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, response.getStatus());
                request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, request.getRequestURI());
                event.setRawPath(ERROR_PATH);
                response.resetBuffer();
                super.handleRequest(request, response, context);
            }
            if (head) {
                // Defect 1: the servlet writes the GET body (Servlet 6 doHead); a container does not send it.
                response.resetBuffer();
                response.flushBuffer();
            }
        }

        /**
         * Defect 2: secure unless X-Forwarded-Proto says http, as getScheme() reads it and as Tomcat answers behind
         * the gateway; the stock answer is true only with an authorizer.
         */
        private static SecurityContext securityContext(HttpApiV2ProxyRequest event, @Nullable Context context) {
            return new AwsHttpApiV2SecurityContext(context, event) {

                @Override
                public boolean isSecure() {
                    Map<String, String> headers = event.getHeaders();
                    return headers == null || !"http".equalsIgnoreCase(headers.get("x-forwarded-proto"));
                }
            };
        }
    }

    /**
     * Defect 6: the stock request decodes the query string when it is built, and malformed percent-encoding throws
     * (a 502). Built without it, the request still shows the query string, and reading its parameters fails as on
     * Tomcat, so that QueryStringFilter answers its 400 problem.
     */
    private static final class QueryTolerantReader extends AwsHttpApiV2HttpServletRequestReader {

        @Override
        public HttpServletRequest readRequest(HttpApiV2ProxyRequest event, SecurityContext security,
                @Nullable Context context, ContainerConfig config) throws InvalidRequestEventException {
            try {
                return super.readRequest(event, security, context, config);
            }
            catch (IllegalArgumentException ex) {
                String query = event.getRawQueryString();
                event.setRawQueryString(null);
                HttpServletRequest request = new AwsHttpApiV2ProxyHttpServletRequest(event, context, security,
                        config) {

                    @Override
                    public Map<String, String[]> getParameterMap() {
                        throw new IllegalStateException("The query string cannot be decoded", ex);
                    }
                };
                event.setRawQueryString(query);
                return request;
            }
        }
    }
}
