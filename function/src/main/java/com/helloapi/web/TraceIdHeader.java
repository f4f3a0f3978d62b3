package com.helloapi.web;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler.TracingContext;

import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Names the trace of a traced request in {@code X-Trace-Id} on its response, problem responses included, and so in
 * its request log line ({@code trace_id}): a client's report or a log line leads to the trace in X-Ray. Registered
 * after the tracing handlers, and only when tracing is on; a request that is not sampled gets no id, since nothing of
 * its trace is recorded.
 */
public final class TraceIdHeader implements ObservationHandler<ServerRequestObservationContext> {

    public static final String HEADER = "X-Trace-Id";

    @Override
    public void onStart(ServerRequestObservationContext context) {
        TracingContext tracing = context.get(TracingContext.class);
        Span span = tracing == null ? null : tracing.getSpan();
        if (span != null && Boolean.TRUE.equals(span.context().sampled()) && context.getResponse() != null) {
            context.getResponse().setHeader(HEADER, span.context().traceId());
        }
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof ServerRequestObservationContext;
    }
}
