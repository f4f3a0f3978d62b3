package com.helloapi.lambda;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.web.servlet.AbstractFilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.boot.web.servlet.ServletContextInitializerBeans;

/**
 * The application's servlet filters in front of the DispatcherServlet, chained as a servlet container chains them:
 * in the order of their registrations (FilterRegistrationBean or Filter bean, sorted as Spring Boot sorts them for
 * Tomcat), each only for the dispatcher types and URL patterns it was registered for. The serverless web module keeps
 * filters in a hash map, losing that order, and ignores patterns and dispatcher types.
 */
final class ServletFilterChain {

    /** A filter with where it applies. */
    private record Mapping(Filter filter, EnumSet<DispatcherType> dispatcherTypes, Collection<String> urlPatterns,
            Collection<String> servletNames) {

        boolean appliesTo(DispatcherType type, String path, String servletName) {
            if (!this.dispatcherTypes.contains(type)) {
                return false;
            }
            if (this.urlPatterns.isEmpty() && this.servletNames.isEmpty()) {
                return true;
            }
            return this.servletNames.contains(servletName)
                    || this.urlPatterns.stream().anyMatch(pattern -> matches(pattern, path));
        }

        /** Servlet URL patterns: exact, {@code /prefix/*}, {@code *.extension} and {@code /}. */
        private static boolean matches(String pattern, String path) {
            if (pattern.equals("/*") || pattern.equals("/")) {
                return true;
            }
            if (pattern.endsWith("/*")) {
                String prefix = pattern.substring(0, pattern.length() - 2);
                return path.equals(prefix) || path.startsWith(prefix + "/");
            }
            if (pattern.startsWith("*.")) {
                return path.endsWith(pattern.substring(1));
            }
            return path.equals(pattern);
        }
    }

    private final List<Mapping> mappings = new ArrayList<>();

    private final Servlet servlet;

    private final String servletName;

    ServletFilterChain(ListableBeanFactory beans, Servlet servlet, String servletName) {
        this.servlet = servlet;
        this.servletName = servletName;
        for (ServletContextInitializer initializer : new ServletContextInitializerBeans(beans)) {
            if (initializer instanceof AbstractFilterRegistrationBean<?> registration && registration.isEnabled()) {
                this.mappings.add(new Mapping(registration.getFilter(), registration.determineDispatcherTypes(),
                        registration.getUrlPatterns(), registration.getServletNames()));
            }
        }
    }

    /** The filters, in order, as names of their classes: for tests and start-up logs. */
    List<String> filterNames() {
        return this.mappings.stream().map(mapping -> mapping.filter().getClass().getSimpleName()).toList();
    }

    void service(HttpServletRequest request, ServletResponse response) throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        List<Filter> filters = this.mappings.stream()
            .filter(mapping -> mapping.appliesTo(request.getDispatcherType(), path, this.servletName))
            .map(Mapping::filter)
            .toList();
        Iterator<Filter> remaining = filters.iterator();
        new FilterChain() {

            @Override
            public void doFilter(ServletRequest chainedRequest, ServletResponse chainedResponse)
                    throws IOException, ServletException {
                if (remaining.hasNext()) {
                    remaining.next().doFilter(chainedRequest, chainedResponse, this);
                }
                else {
                    ServletFilterChain.this.servlet.service(chainedRequest, chainedResponse);
                }
            }
        }.doFilter(request, response);
    }
}
