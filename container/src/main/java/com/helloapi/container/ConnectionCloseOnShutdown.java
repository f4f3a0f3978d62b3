package com.helloapi.container;

import java.io.IOException;
import java.io.PrintWriter;

import com.helloapi.web.FilterOrder;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Once the application refuses traffic (SIGTERM: Spring Boot publishes REFUSING_TRAFFIC as the context starts to
 * close), every response sent from then on carries {@code Connection: close}, requests in flight at the signal
 * included. Tomcat stops reading from kept-alive connections while it shuts down gracefully; without the header a
 * client could send its next request on one just as it closes, and see that request cut.
 */
@Component
@Order(FilterOrder.CONNECTION_CLOSE_ON_SHUTDOWN)
class ConnectionCloseOnShutdown extends OncePerRequestFilter
        implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

    private volatile boolean closing;

    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
        this.closing = event.getState() == ReadinessState.REFUSING_TRAFFIC;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ClosingResponse closing = new ClosingResponse(response);
        try {
            chain.doFilter(request, closing);
        }
        finally {
            // A response without a body is sent after the chain returns.
            closing.closeIfClosing();
        }
    }

    /** Adds the header just before the response is committed: the first write, flush or error. */
    private final class ClosingResponse extends HttpServletResponseWrapper {

        ClosingResponse(HttpServletResponse response) {
            super(response);
        }

        void closeIfClosing() {
            if (closing && !isCommitted()) {
                setHeader(HttpHeaders.CONNECTION, "close");
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            closeIfClosing();
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            closeIfClosing();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            closeIfClosing();
            super.flushBuffer();
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            closeIfClosing();
            super.sendError(status, message);
        }

        @Override
        public void sendError(int status) throws IOException {
            closeIfClosing();
            super.sendError(status);
        }
    }
}
