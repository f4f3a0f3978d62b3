/**
 * The Fargate container: the HelloAPI application with Tomcat on PORT and Actuator health. No business code lives
 * here.
 */
@NullMarked
package com.helloapi.container;

import org.jspecify.annotations.NullMarked;
