/**
 * Tests of the Lambda target: the HTTP contract through API Gateway v1, v2 and ALB events, the packaged zip,
 * FunctionInvoker, priming and the secrets read at start-up.
 */
@NullMarked
package com.helloapi.lambda;

import org.jspecify.annotations.NullMarked;
