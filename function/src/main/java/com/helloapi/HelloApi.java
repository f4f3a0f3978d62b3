package com.helloapi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The HelloAPI application: the user functions and their HTTP adapter. The Lambda handler starts it as
 * {@code MAIN_CLASS}; the container starts the same class with Tomcat and Actuator on the classpath.
 */
@SpringBootApplication
public class HelloApi {

    public static void main(String[] args) {
        SpringApplication.run(HelloApi.class, args);
    }
}
