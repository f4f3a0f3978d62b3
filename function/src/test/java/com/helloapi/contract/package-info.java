/**
 * The HTTP contract of the users API as one set of expectations, run against every target: the container over real
 * HTTP, and the Lambda handler with API Gateway events. Packaged in the function module's test jar.
 */
@NullMarked
package com.helloapi.contract;

import org.jspecify.annotations.NullMarked;
