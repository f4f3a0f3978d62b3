/**
 * The Lambda target: the handler that answers API Gateway HTTP API (payload 2.0) events through
 * aws-serverless-java-container's Spring Boot handler with the same Spring MVC adapter the container runs, its
 * SnapStart priming, and the secrets it reads at start-up.
 */
@NullMarked
package com.helloapi.lambda;

import org.jspecify.annotations.NullMarked;
