package com.helloapi.container;

import com.helloapi.HelloApi;

import org.springframework.boot.SpringApplication;

/**
 * Starts HelloAPI in the container. The application is the same {@link HelloApi} that Lambda runs; what makes this
 * one a web server is Tomcat and Actuator on this module's classpath and {@code config/application.yaml}.
 */
public final class HelloApiContainer {

    private HelloApiContainer() {
    }

    public static void main(String[] args) {
        SpringApplication.run(HelloApi.class, args);
    }
}
