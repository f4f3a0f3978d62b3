package com.helloapi.web;

import java.util.List;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.accept.HeaderContentNegotiationStrategy;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.filter.UrlHandlerFilter;
import org.springframework.web.servlet.config.annotation.ContentNegotiationConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Servlet filters and Spring MVC settings that shape every request before it reaches a route. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    /**
     * {@code /api/users/} and {@code /api/users} are the same route, answered directly: the request is re-dispatched
     * without its trailing slash rather than redirected, so clients that follow Django's URLs keep working.
     */
    @Bean
    FilterRegistrationBean<UrlHandlerFilter> trailingSlashFilter() {
        FilterRegistrationBean<UrlHandlerFilter> registration = new FilterRegistrationBean<>(
                UrlHandlerFilter.trailingSlashHandler("/api/**").wrapRequest().build());
        registration.setOrder(FilterOrder.TRAILING_SLASH);
        return registration;
    }

    /**
     * The API speaks JSON only (docs/decisions), so the YAML and XML (JAXB) converters Spring adds because the
     * container's OpenAPI library puts their libraries on the class path are dropped: {@code Accept:
     * application/yaml} is answered 406, not with users in YAML, in the container as in Lambda.
     */
    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder converters) {
        converters.configureMessageConvertersList(list -> list.removeIf(converter -> converter.getSupportedMediaTypes()
            .stream()
            .anyMatch(type -> type.getSubtype().contains("yaml") || type.getSubtype().contains("xml"))));
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
