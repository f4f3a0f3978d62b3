package com.helloapi.web;

import java.util.List;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.filter.UrlHandlerFilter;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Servlet filters and Spring MVC settings that shape every request before it reaches a route. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitSettings.class)
class WebConfiguration implements WebMvcConfigurer {

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

    /**
     * An Accept header that cannot be parsed is disregarded, as RFC 9110 allows, rather than failing content
     * negotiation: otherwise even the problem response could not be written and the client would get an empty 406.
     */
    @Override
    public void configureContentNegotiation(ContentNegotiationConfigurer configurer) {
        configurer.strategies(List.of(new HeaderContentNegotiationStrategy() {

            @Override
            public List<MediaType> resolveMediaTypes(NativeWebRequest request) {
                try {
                    return super.resolveMediaTypes(request);
                }
                catch (HttpMediaTypeNotAcceptableException ex) {
                    return MEDIA_TYPE_ALL_LIST;
                }
            }
        }));
    }
}
