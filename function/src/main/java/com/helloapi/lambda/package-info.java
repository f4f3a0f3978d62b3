/**
 * The Lambda target: the handler that answers API Gateway REST (v1), HTTP API (v2) and ALB events with the same
 * Spring MVC adapter the container runs, its SnapStart priming, and the secrets it reads at start-up.
 */
@NullMarked
package com.helloapi.lambda;

import org.jspecify.annotations.NullMarked;
