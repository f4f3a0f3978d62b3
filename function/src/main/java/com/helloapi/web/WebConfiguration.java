package com.helloapi.web;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.UrlHandlerFilter;

/** Servlet filters that shape every request before it reaches a route. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /**
     * {@code /api/users/} and {@code /api/users} are the same route, answered directly: the request is re-dispatched
     * without its trailing slash rather than redirected, so clients that follow Django's URLs keep working.
     */
    @Bean
    FilterRegistrationBean<UrlHandlerFilter> trailingSlashFilter() {
        FilterRegistrationBean<UrlHandlerFilter> registration = new FilterRegistrationBean<>(
                UrlHandlerFilter.trailingSlashHandler("/api/**").wrapRequest().build());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
