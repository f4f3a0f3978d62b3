package com.helloapi.security;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.DispatcherType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import com.helloapi.web.FilterOrder;
import com.helloapi.web.TraceIdHeader;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * The one security filter chain of both targets. Without {@code AUTH_ISSUER_URI} every request is let through as
 * before; with it, writes under {@code /api/} need a valid bearer JWT of that issuer (reads too with
 * {@code AUTH_PROTECT_READS=true}), while health, the OpenAPI description and Swagger UI stay public. Always:
 * stateless, no CSRF (bearer tokens, no cookies), no login form or HTTP Basic, CORS for the configured origins
 * only, and nosniff, X-Frame-Options DENY and Referrer-Policy no-referrer on every response. The chain runs after
 * the request-id filter ({@link FilterOrder#SECURITY}), so its refusals carry X-Request-Id too.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({ AuthSettings.class, CorsSettings.class })
class SecurityConfiguration {

    private static final String API = "/api/**";

    /** The chain's place among the servlet filters is {@link FilterOrder}'s, with every other filter's. */
    @Bean
    static BeanPostProcessor securityFilterOrder() {
        return new BeanPostProcessor() {

            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration
                        && "securityFilterChainRegistration".equals(name)) {
                    registration.setOrder(FilterOrder.SECURITY);
                }
                return bean;
            }
        };
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, AuthSettings auth, CorsSettings cors, JsonMapper json)
            throws Exception {
        SecurityProblems problems = new SecurityProblems(json);
        http.csrf(AbstractHttpConfigurer::disable)
            .formLogin(AbstractHttpConfigurer::disable)
            .httpBasic(AbstractHttpConfigurer::disable)
            .logout(AbstractHttpConfigurer::disable)
            .requestCache(AbstractHttpConfigurer::disable)
            .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .headers(headers -> headers
                // The API sets Cache-Control itself (no-store on user data); Spring's blanket no-cache would
                // change every other response.
                .cacheControl(cache -> cache.disable())
                .frameOptions(frames -> frames.deny())
                .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
            .exceptionHandling(failures -> failures.authenticationEntryPoint(problems).accessDeniedHandler(problems));
        if (!cors.allowedOrigins().isEmpty()) {
            http.addFilter(corsFilter(cors.allowedOrigins(), problems));
        }
        if (!auth.enabled()) {
            // Nobody is authenticated, so no anonymous token nor Servlet security API wrapper per request.
            http.anonymous(AbstractHttpConfigurer::disable).servletApi(AbstractHttpConfigurer::disable);
            http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
            return http.build();
        }
        RequestMatcher needsToken = needsToken(auth);
        BearerTokenResolver bearerTokens = new DefaultBearerTokenResolver();
        http.authorizeHttpRequests(requests -> requests.dispatcherTypeMatchers(DispatcherType.ERROR)
            .permitAll()
            .requestMatchers(needsToken)
            .authenticated()
            .anyRequest()
            .permitAll());
        http.oauth2ResourceServer(bearer -> bearer
            .jwt(jwt -> jwt.decoder(new IssuerJwtDecoder(auth.issuerUri(), auth.audience())))
            // A token is read (and checked) only where one is needed: public routes stay public whatever a
            // client sends, and do not depend on the issuer being reachable.
            .bearerTokenResolver(request -> needsToken.matches(request) ? bearerTokens.resolve(request) : null)
            .authenticationEntryPoint(problems)
            .accessDeniedHandler(problems)
            // RFC 9728 metadata at /.well-known/oauth-protected-resource, which 401s point to: names the issuer.
            .protectedResourceMetadata(metadata -> metadata
                .protectedResourceMetadataCustomizer(resource -> resource.authorizationServer(auth.issuerUri())))
            .withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                @Override
                public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
                    // An issuer that cannot be reached is a 503 to retry, not a 401 (nor a 500).
                    filter.setAuthenticationFailureHandler(problems);
                    return filter;
                }
            }));
        return http.build();
    }

    /**
     * No observations of Spring Security's own (a timer and a span per filter of the chain): the HTTP server
     * observation already times every request, and they were a large share of its CPU (docs/performance.md).
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /** Writes under /api/, and with AUTH_PROTECT_READS reads too; never a CORS preflight (OPTIONS). */
    private static RequestMatcher needsToken(AuthSettings auth) {
        List<HttpMethod> methods = new ArrayList<>(
                List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE));
        if (auth.protectReads()) {
            methods.add(HttpMethod.GET);
            methods.add(HttpMethod.HEAD);
        }
        return new OrRequestMatcher(methods.stream()
            .<RequestMatcher>map(method -> PathPatternRequestMatcher.pathPattern(method, API))
            .toList());
    }

    /**
     * Spring Security's path checks (no encoded slashes or dots, no {@code ..}, no semicolons: the rules above
     * match the path the application sees), but headers, parameters and methods are left to the API's own
     * validation, which answers them as problems.
     */
    @Bean
    HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setUnsafeAllowAnyHttpMethod(true);
        firewall.setAllowedHeaderNames(name -> true);
        firewall.setAllowedHeaderValues(value -> true);
        firewall.setAllowedParameterNames(name -> true);
        firewall.setAllowedParameterValues(value -> true);
        return firewall;
    }

    private static CorsFilter corsFilter(List<String> origins, SecurityProblems problems) {
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(origins);
        config.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        config.setAllowedHeaders(List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.AUTHORIZATION, HttpHeaders.IF_MATCH,
                HttpHeaders.IF_NONE_MATCH, "X-Request-Id"));
        config.setExposedHeaders(
                List.of(HttpHeaders.ETAG, HttpHeaders.LOCATION, "X-Request-Id", TraceIdHeader.HEADER));
        config.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration(API, config);
        CorsFilter filter = new CorsFilter(source);
        filter.setCorsProcessor(new ProblemCorsProcessor(problems));
        return filter;
    }
}
