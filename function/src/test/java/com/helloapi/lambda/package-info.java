/**
 * Tests of the Lambda target: the HTTP contract and what it does not reach through HTTP API v2 events, the packaged
 * zip, FunctionInvoker, priming and the secrets read at start-up.
 */
@NullMarked
package com.helloapi.lambda;

import org.jspecify.annotations.NullMarked;
